// Where the harness keeps what it downloads or builds: the user-level tool cache, never the repo.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** `${XDG_CACHE_HOME:-$HOME/.cache}/omnicache`. */
export function cacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'omnicache');
}

/** A sub-directory of the cache root. */
export function cacheDir(...parts: string[]): string {
  return join(cacheRoot(), ...parts);
}

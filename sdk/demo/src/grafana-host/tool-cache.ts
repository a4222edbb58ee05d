// Where the demo keeps what it builds (the page bundle, the panel plugin build): the user-level tool cache
// `${XDG_CACHE_HOME:-$HOME/.cache}/omnicache`, never the repository. Builds land atomically (a temporary directory
// renamed into place), so concurrent builders (the demo, the panel's browser test) never see half a build.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the demo runs from its checkout: `npm run demo`). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export function toolCacheDir(...parts: string[]): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'omnicache', ...parts);
}

/**
 * Returns `out` once it holds a complete build: builds into a temporary sibling with `build(tmp)` when missing, then
 * renames it into place. `ready(dir)` tells whether a directory holds a complete build.
 */
export async function buildOnce(
  out: string,
  ready: (dir: string) => boolean,
  build: (tmp: string) => Promise<void>,
): Promise<string> {
  if (ready(out)) return out;
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(dirname(out), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    if (!ready(tmp)) throw new Error(`the build in ${tmp} is incomplete`);
    if (existsSync(out) && !ready(out)) rmSync(out, { recursive: true, force: true });
    try {
      renameSync(tmp, out);
    } catch (error) {
      // Another builder finished first: use its build.
      if (!ready(out)) throw error;
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

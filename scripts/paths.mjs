// Shared locations for the set-up scripts: the user-level tool cache, never inside the repo.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'omnicache');

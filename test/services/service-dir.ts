// A fresh temporary directory per started service (data, config, log), removed when the service stops
// unless OMNICACHE_KEEP_SERVICE_DIRS=1 asks to keep it for debugging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeServiceDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `omnicache-${name}-`));
}

export function removeServiceDir(dir: string): void {
  if (process.env.OMNICACHE_KEEP_SERVICE_DIRS === '1') return;
  rmSync(dir, { recursive: true, force: true });
}

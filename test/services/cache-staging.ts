// Staging directories for cache entries: an entry is built in `<dir>.tmp-<pid>` and renamed into place when
// complete, so a half-built entry never looks finished. Call under the entry's lock: leftovers of interrupted
// builds (any pid) are removed first.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function freshStagingDir(dir: string): string {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.tmp-`;
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(prefix)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const staging = `${dir}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  return staging;
}

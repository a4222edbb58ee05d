// A cross-process lock on a directory path (mkdir is atomic): concurrent provisioners wait instead of colliding.
// A lock whose owner process is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function ownerAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(lockDir, 'owner'), 'utf8'), 10);
  } catch {
    // The owner file is written right after mkdir; give a fresh lock the benefit of the doubt.
    return true;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  timeoutMs = 45 * 60_000,
): Promise<T> {
  const lockDir = `${lockPath}.lock`;
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let unknownOwnerSince: number | undefined;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let stale = !ownerAlive(lockDir);
      let hasOwner = true;
      try {
        readFileSync(join(lockDir, 'owner'));
      } catch {
        hasOwner = false;
      }
      if (!hasOwner) {
        unknownOwnerSince ??= Date.now();
        if (Date.now() - unknownOwnerSince > 10_000) stale = true;
      } else {
        unknownOwnerSince = undefined;
      }
      if (stale) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

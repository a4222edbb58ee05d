import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

describe('withFileLock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'omnicache-lock-test-'));
    dirs.push(d);
    return d;
  };

  it('serialises concurrent holders and releases on error', async () => {
    const lock = join(tempDir(), 'x');
    const events: string[] = [];
    const holder = (id: string) =>
      withFileLock(lock, async () => {
        events.push(`${id}:in`);
        await sleep(100);
        events.push(`${id}:out`);
        if (id === 'b') throw new Error('boom');
        return id;
      });
    const results = await Promise.allSettled([holder('a'), holder('b'), holder('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // No two holders overlap: every "in" is followed by its own "out".
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.replace(':in', '')).toBe(events[i + 1]?.replace(':out', ''));
    }
    expect(events).toHaveLength(6);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const lock = join(tempDir(), 'y');
    mkdirSync(`${lock}.lock`);
    // A pid far above pid_max: no such process.
    writeFileSync(join(`${lock}.lock`, 'owner'), '999999999');
    expect(await withFileLock(lock, async () => 'taken', 5_000)).toBe('taken');
  });
});

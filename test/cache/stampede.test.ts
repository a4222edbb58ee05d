// Cross-process stampede protection: 4 Node processes (importing the built sdk/dist) miss the same cold key at
// the same moment; with the Redis lock the loader runs once in total.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const distIndex = fileURLToPath(new URL('../../sdk/core/dist/index.js', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/stampede-worker.mjs', import.meta.url));
const redis = inject('redis');

describe('cross-process stampede lock (real Redis, 4 processes)', () => {
  const client = new Redis(redis.url);
  afterAll(async () => {
    await client.quit();
  });

  it('calls the loader once for 4 processes x 250 concurrent getOrSet on one cold key', async () => {
    expect(existsSync(distIndex), 'build the sdk first: node scripts/setup.mjs').toBe(true);
    const name = `stampede-${randomBytes(4).toString('hex')}`;
    const counter = `${name}:loader-calls`;
    // Room for 4 Node processes to start and connect on a loaded 2-core machine.
    const startAt = Date.now() + 4000;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, [worker, redis.url, name, counter, String(startAt), '250'], {
          timeout: 60_000,
        }),
      ),
    );
    expect(Number(await client.get(counter))).toBe(1);
    const reports = outputs.map(
      (o) => JSON.parse(o.stdout.trim()) as { distinct: number; stats: { acquired: number } },
    );
    expect(reports.every((r) => r.distinct === 1)).toBe(true);
    expect(reports.reduce((n, r) => n + r.stats.acquired, 0)).toBe(1);
  });
});

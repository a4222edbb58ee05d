// Chaos on the embedded L3 (fsTier): the disk "fills up" mid-run. Without root there is no small tmpfs to fill,
// so this process's file-size limit is lowered to 0 (prlimit RLIMIT_FSIZE): every write of a byte fails with
// EFBIG as it would with ENOSPC, reads and unlinks still work; then the limit is raised again ("space freed").
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache, fsTier } from '../../sdk/core/src/index.js';
import {
  expectResilient,
  FAST_BREAKER,
  LOADER_MS,
  runChaos,
  SLACK_MS,
  standardLoad,
  TTL_MS,
} from './scenario.js';
import { at } from './workload.js';

const TIER_MS = 300;
const BUDGET_MS = 2 * TIER_MS + LOADER_MS + SLACK_MS;

function fileSizeLimit(soft: '0' | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${soft}:`]);
}

describe('chaos: fsTier on a full disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicache-chaos-fs-'));
  afterAll(() => {
    fileSizeLimit('unlimited');
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes fail with EFBIG for a while; reads, the loader and the breaker carry on', async () => {
    const name = `chaos-fs-${randomUUID().slice(0, 8)}`;
    const caches = [0, 1].map(() =>
      createCache({
        name,
        l1: { capacity: 64 },
        l3: {
          tier: fsTier(dir),
          timeoutMs: TIER_MS,
          circuitBreaker: FAST_BREAKER,
        },
        defaults: { ttl: TTL_MS },
      }),
    );
    try {
      const r = await runChaos('fs-full-disk', {
        ...standardLoad(BUDGET_MS),
        caches,
        durationMs: 6_500,
        script: async (elapsed) => {
          fileSizeLimit('0');
          try {
            await at(elapsed, 3_700);
          } finally {
            fileSizeLimit('unlimited');
          }
        },
      });
      expectResilient(r, { opened: ['l3'] });
      const errors = caches.reduce((n, c) => n + c.stats().tiers.l3!.errors, 0);
      expect(errors).toBeGreaterThan(0);
      // Failed writes leave no temp files behind.
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    } finally {
      await Promise.all(caches.map((c) => c.close()));
    }
  });
});

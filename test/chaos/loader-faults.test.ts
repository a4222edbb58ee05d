// Chaos on the loader itself (Redis L2 healthy): it fails for a while, then hangs past the hard timeout, then
// works again. Callers with a value within grace get it (no error); only callers with nothing to fall back on
// get a typed LoaderError / TimeoutError, only while the loader is broken, and never later than the hard timeout.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { createCache, LoaderError, TimeoutError } from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { expectResilient, runChaos, SLACK_MS, standardLoad } from './scenario.js';
import { at, payload } from './workload.js';

const TIER_MS = 150;
const HARD_MS = 200;
const TTL_MS = 800;
const GRACE_MS = 3_000;
/** getOrSet: L2 read + (loader and write-back, cut at the hard timeout). */
const BUDGET_MS = TIER_MS + HARD_MS + SLACK_MS;
/** A value may be served from grace while the loader is broken. */
const STALE_BOUND_MS = TTL_MS + GRACE_MS + SLACK_MS;
const FAIL = { from: 1_500, to: 3_500 };
const HANG = { from: 3_500, to: 5_500 };

describe('chaos: the loader fails and times out', () => {
  it('grace answers whoever has a value; typed errors only for the rest, only during the fault', async () => {
    const name = `chaos-loader-${randomUUID().slice(0, 8)}`;
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    const load = standardLoad(BUDGET_MS);
    const ref = load.ref;
    const caches = [0, 1].map(() =>
      createCache({
        name,
        l1: { capacity: 64 },
        l2: {
          tier: redisTier({ connection: inject('redis').url, commandTimeoutMs: TIER_MS }),
          timeoutMs: TIER_MS,
        },
        defaults: { ttl: TTL_MS, grace: GRACE_MS, graceBackoff: 200, timeouts: { hard: HARD_MS } },
      }),
    );
    try {
      const r = await runChaos('loader-fail-and-hang', {
        ...load,
        caches,
        // Many keys: some are first asked for while the loader is broken (nothing stale to serve).
        keys: 5_000,
        mix: { getOrSet: 7, get: 2, set: 1 },
        staleBoundMs: STALE_BOUND_MS,
        durationMs: 7_500,
        loader: async (key) => {
          const m = mode;
          if (m === 'fail') throw new Error('database unavailable');
          await sleep(m === 'hang' ? 5_000 : 5);
          return payload(key, ref.current(key), load.padBytes);
        },
        allowedError: (e) => e instanceof LoaderError || e instanceof TimeoutError,
        script: async (elapsed) => {
          await at(elapsed, FAIL.from);
          mode = 'fail';
          await at(elapsed, HANG.from);
          mode = 'hang';
          await at(elapsed, HANG.to);
          mode = 'ok';
        },
        extra: () => ({
          grace: caches.reduce((n, c) => n + c.stats().stale.grace + c.stats().stale.backoff, 0),
        }),
      });
      expectResilient(r, { opened: [] });
      const served = caches.reduce((n, c) => n + c.stats().stale.grace + c.stats().stale.backoff, 0);
      expect(served, 'stale values served from grace').toBeGreaterThan(0);
      expect(r.report.allowedErrors, 'callers with nothing stale got typed errors').toBeGreaterThan(0);
      // No caller error while the loader works: before the fault, and from one hard timeout after it ends. A call
      // (timeline buckets are 500 ms by start time) that starts shortly before the fault can reach its loader after
      // the fault began (its L2 read and scheduling come first), so the last bucket before it counts as in it.
      for (const b of r.report.timeline) {
        const outside = b.atMs + 500 + TIER_MS + SLACK_MS <= FAIL.from || b.atMs >= HANG.to + HARD_MS;
        if (outside) expect(b.allowedErrors, `errors at ${b.atMs} ms, loader working`).toBe(0);
      }
    } finally {
      await Promise.all(caches.map((c) => c.close()));
    }
  });
});

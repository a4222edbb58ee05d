// Found by the chaos tests (test/chaos/redis-faults.test.ts, "slow within the tier timeout"): the hard timeout
// bounds the loader, not the write-back of what it returned. A 5 ms loader with a 40 ms hard timeout on a cache
// whose L2 takes 80 ms (inside its 200 ms budget) used to reject with TimeoutError and count a loader timeout.
import { describe, expect, it } from 'vitest';
import { createCache, TimeoutError } from '../../src/index.js';
import { FakeTier, tick } from '../helpers/fake-tier.js';

describe('hard timeout and a slow write-back', () => {
  it('a loader that returns in time is a success even when the remote write-back takes longer than the hard timeout', async () => {
    const l2 = new FakeTier();
    const cache = createCache({
      name: 'hard-wb',
      l1: { capacity: 10 },
      l2: { tier: l2, timeoutMs: 200 },
      defaults: { timeouts: { hard: 40 } },
    });
    l2.delayMs = 80;
    const t0 = performance.now();
    const v = await cache.getOrSet('k', async () => {
      await tick(5);
      return 'loaded';
    });
    expect(v).toBe('loaded');
    // L2 read (80) + loader (5) + L2 write (80): the write-back was awaited, within the tier budget.
    expect(performance.now() - t0).toBeLessThan(80 + 5 + 200 + 500);
    const s = cache.stats();
    expect(s.loader).toMatchObject({ success: 1, timeout: 0, error: 0 });
    expect(s.requests.errors).toBe(0);
    expect(s.tiers.l2!.sets).toBe(1);
    expect(await cache.get('k')).toBe('loaded');
    await cache.close();
  });

  it('a loader slower than the hard timeout still times out, and its late value lands nowhere', async () => {
    const l2 = new FakeTier();
    const cache = createCache({
      name: 'hard-late',
      l1: { capacity: 10 },
      l2: { tier: l2, timeoutMs: 200 },
      defaults: { timeouts: { hard: 30 } },
    });
    await expect(
      cache.getOrSet('k', async () => {
        await tick(80);
        return 'late';
      }),
    ).rejects.toThrow(TimeoutError);
    await tick(120);
    expect(cache.stats().loader.timeout).toBe(1);
    expect(await cache.get('k')).toBeUndefined();
    expect(l2.data.size).toBe(0);
    await cache.close();
  });
});

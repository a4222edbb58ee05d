// The executor keeps each loader pattern's wasted fraction within `wasteBudget`: a pattern whose hints are mostly
// wrong goes off (issues nothing) after at most PROBE_ALLOWANCE prefetches beyond the budget, its hints are scored
// in shadow, and it resumes once the shadow precision is back within the budget.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Cache, createCache } from '../../src/index.js';
import { PROBE_ALLOWANCE, PrefetchLedger, SHADOW_WINDOW } from '../../src/prefetch/ledger.js';
import { FakePrefetchLoop } from './fake-prefetch-bus.js';

const caches: Cache[] = [];
const loops: FakePrefetchLoop[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  await Promise.all(loops.splice(0).map((l) => l.close()));
});

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await tick(5);
  }
}

const BUDGET = 0.5;
const DEADLINE_MS = 30;

async function setup() {
  const loop = new FakePrefetchLoop();
  loops.push(loop);
  await loop.start();
  const cache = createCache({
    name: 'shop',
    l1: { capacity: 1_000 },
    prefetch: {
      bus: loop.cacheBus(),
      hashKey: loop.secret,
      sample: { flushMs: 5 },
      wasteBudget: BUDGET,
      maxOutstanding: 500,
    },
  });
  caches.push(cache);
  cache.registerLoader('product:*', ({ key }) => ({ id: key }));
  cache.registerLoader('reviews:*', ({ key }) => ({ id: key }));
  const pf = () => cache.stats().prefetch!;
  let n = 0;
  /**
   * `count` hints of fresh keys of `prefix`; each is right (read by demand 5 ms later, before its 30 ms deadline)
   * when `right(i)`, else never read.
   */
  const stream = async (prefix: string, count: number, right: (i: number) => boolean) => {
    const keys = Array.from({ length: count }, () => `${prefix}:${n++}`);
    // The dictionary learns the keys' hashes from their first reads; then they leave l1.
    for (const k of keys) await cache.get(k);
    for (let i = 0; i < count; i++) {
      await loop.hint([keys[i]!], { deadlineMs: DEADLINE_MS });
      await tick(5);
      if (right(i)) await cache.get(keys[i]!);
    }
    await tick(DEADLINE_MS + 5);
    await cache.get(`${prefix}:flush`); // a demand access settles shadow hints past their deadline
  };
  return { cache, pf, stream };
}

describe('waste budget', () => {
  it('a mostly wrong stream goes off within the probe allowance; scored in shadow, it stays off', async () => {
    const { pf, stream } = await setup();
    await stream('product', 200, (i) => i % 10 === 0); // 10 % right
    await until(() => pf().outstanding === 0); // unread prefetches settle as wasted at the 1 s sweep
    const s = pf();
    // The bound: wasted <= budget * settled + PROBE_ALLOWANCE (4): here at most 8 of 200 hints were acted on.
    expect(s.wasted).toBeGreaterThan(0);
    expect(s.wasted).toBeLessThanOrEqual(BUDGET * (s.used + s.wasted) + PROBE_ALLOWANCE);
    expect(s.issued).toBeLessThanOrEqual(PROBE_ALLOWANCE / (1 - BUDGET) + 2);
    expect(s.rateFactor).toBe(0);
    // The rest was scored in shadow: about 10 % would have been used, so it never resumed.
    expect(s.dropped.backoff).toBeGreaterThanOrEqual(190);
    expect(s.shadow.used + s.shadow.wasted).toBeGreaterThanOrEqual(180);
    expect(s.shadow.used / (s.shadow.used + s.shadow.wasted)).toBeLessThan(0.2);
  });

  it('a stream that becomes right again resumes after a shadow window, and its prefetches are then used', async () => {
    const { pf, stream } = await setup();
    await stream('product', 60, () => false);
    // Out of allowance at once; off when its open prefetches settle as wasted (the 1 s sweep).
    expect(pf().issued).toBe(PROBE_ALLOWANCE / (1 - BUDGET));
    await until(() => pf().rateFactor === 0);
    const off = pf();
    // Another pattern is not held back by the one that is off.
    await stream('reviews', 20, () => true);
    expect(pf().issued).toBe(off.issued + 20);
    await stream('product', SHADOW_WINDOW + 40, (i) => i % 10 !== 0); // 90 % right
    const s = pf();
    expect(s.rateFactor).toBe(1);
    expect(s.shadow.used).toBeGreaterThanOrEqual(SHADOW_WINDOW * BUDGET);
    // Resumed: most of the last 40 hints were prefetched and read.
    expect(s.issued - off.issued - 20).toBeGreaterThanOrEqual(30);
    expect(s.used - off.used - 20).toBeGreaterThanOrEqual(25);
    await until(() => pf().outstanding === 0);
    const end = pf();
    expect(end.wasted).toBeLessThanOrEqual(BUDGET * (end.used + end.wasted) + 2 * PROBE_ALLOWANCE);
  });
});

describe('shadow scoring', () => {
  it('counts a read as would-have-been used only while a prefetched entry would still be in L1', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_000_000);
      const ledger = new PrefetchLedger(BUDGET, 30_000);
      const cls = ledger.classOf(undefined);
      // Before any eviction: the hint's deadline.
      expect(ledger.shadowUntil(1_000_000, 1_005_000)).toBe(1_005_000);
      // Unread prefetched entries evicted by capacity after 200 ms: shadow reads count within 200 ms.
      ledger.mark('a', 1_000_000, 1_005_000, cls);
      vi.setSystemTime(1_000_200);
      ledger.lost('a', 'capacity');
      expect(ledger.residenceMs).toBe(200);
      expect(ledger.shadowUntil(1_000_200, 1_005_000)).toBe(1_000_400);
      // Other losses (overwrites, deadlines) do not move it.
      ledger.mark('b', 1_000_200, 1_005_000, cls);
      vi.setSystemTime(1_003_000);
      ledger.lost('b', 'overwritten');
      expect(ledger.residenceMs).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

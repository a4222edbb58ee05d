// The SDK side of the prefetch loop over an in-memory transport: the sampled access stream (HMAC keys, tiers,
// off by default), the executor (registered loaders, dictionary, deadlines, confidence, rate limit, room), the
// used/wasted ledger and its waste budget, ARC T1 landing, and per-key versions against invalidations.
import { afterEach, describe, expect, it } from 'vitest';
import { type Cache, createCache, withPrefetchSession } from '../../src/index.js';
import { FakeTier } from '../helpers/fake-tier.js';
import { FakePrefetchLoop } from './fake-prefetch-bus.js';

const caches: Cache[] = [];
const loops: FakePrefetchLoop[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  await Promise.all(loops.splice(0).map((l) => l.close()));
});

async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setup(prefetch: Record<string, unknown> = {}, capacity = 100) {
  const loop = new FakePrefetchLoop();
  loops.push(loop);
  await loop.start();
  const cache = createCache({
    name: 'shop',
    l1: { capacity },
    prefetch: { bus: loop.cacheBus(), hashKey: loop.secret, sample: { flushMs: 5 }, ...prefetch },
  });
  caches.push(cache);
  const loads: string[] = [];
  cache.registerLoader('product:*', ({ key }) => {
    loads.push(key);
    return { id: key };
  });
  const pf = () => cache.stats().prefetch!;
  return { loop, cache, loads, pf };
}

describe('access stream', () => {
  it('is off without the prefetch option', () => {
    const cache = createCache({ name: 'plain', l1: { capacity: 10 } });
    caches.push(cache);
    expect(cache.stats().prefetch).toBeUndefined();
  });

  it('publishes keys only as their HMAC, with namespace, tier and cost', async () => {
    const { loop, cache } = await setup();
    const ns = cache.namespace('eu');
    await ns.getOrSet('product:1', async () => {
      await new Promise((r) => setTimeout(r, 20));
      return 1;
    });
    await ns.getOrSet('product:1', () => 2);
    await ns.get('product:nope');
    await until(() => loop.samples.length >= 3);
    expect(loop.samples.map((s) => s.tier)).toEqual(['loader', 'l1', 'miss']);
    expect(loop.samples.every((s) => s.ns === 'eu')).toBe(true);
    expect(loop.samples[0]!.k).toBe(loop.hash('product:1', 'eu'));
    expect(loop.samples[0]!.cost).toBeGreaterThanOrEqual(15);
    expect(loop.samples[1]!.cost).toBe(0);
    expect(loop.raw.join('')).not.toContain('product:');
    expect(cache.stats().prefetch!.samples.published).toBe(3);
  });

  it('tags samples taken in withPrefetchSession with the session HMAC, never the raw id', async () => {
    const { loop, cache } = await setup();
    await cache.get('product:1');
    await withPrefetchSession('user-42', async () => {
      await cache.get('product:2');
      await new Promise((r) => setTimeout(r, 1));
      await cache.get('product:3'); // after an await: still in the session
    });
    await until(() => loop.samples.length >= 3);
    const s = loop.samples.map((x) => x.s);
    expect(s[0]).toBeUndefined();
    expect(s[1]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s[2]).toBe(s[1]);
    expect(loop.raw.join('')).not.toContain('user-42');
    expect(() => withPrefetchSession('', () => 0)).toThrow(/non-empty string/);
  });

  it('samples whole windows at the configured rate and caps the volume', async () => {
    const { loop, cache, pf } = await setup({ sample: { rate: 0, flushMs: 5 } });
    for (let i = 0; i < 20; i++) await cache.getOrSet(`product:${i}`, () => i);
    await new Promise((r) => setTimeout(r, 30));
    expect(loop.samples).toHaveLength(0);
    const capped = await setup({ sample: { maxPerSecond: 5, flushMs: 5 } });
    for (let i = 0; i < 20; i++) await capped.cache.getOrSet(`product:${i}`, () => i);
    await until(() => capped.loop.samples.length >= 5);
    expect(capped.pf().samples.rate_limited).toBeGreaterThanOrEqual(14);
    expect(pf().samples.published).toBe(0);
  });
});

describe('executor', () => {
  it('loads hinted keys through the registered loader into l1; a later read counts as used', async () => {
    const { loop, cache, loads, pf } = await setup();
    await cache.getOrSet('product:2', () => 'seen'); // the dictionary learns the key's hash
    await cache.delete('product:2');
    await until(() => loop.samples.length >= 1);
    await loop.hint(['product:2']);
    await until(() => loads.includes('product:2'));
    await until(() => pf().outstanding === 1);
    expect(pf()).toMatchObject({ hints: 1, issued: 1, used: 0 });
    expect(await cache.get('product:2')).toEqual({ id: 'product:2' });
    expect(cache.stats().tiers.l1.misses).toBe(1); // the first getOrSet only: the prefetched read was a hit
    expect(pf()).toMatchObject({ used: 1, wasted: 0, outstanding: 0 });
  });

  it('drops hints it cannot or should not act on, each with its reason', async () => {
    const { loop, cache, loads, pf } = await setup({ minConfidence: 0.5 });
    await cache.getOrSet('product:3', () => 1);
    await cache.getOrSet('other:1', () => 1);
    await cache.delete('product:3');
    await cache.delete('other:1');
    await loop.hint(['product:never-seen']);
    await loop.hint(['product:3'], { confidence: 0.2 });
    await loop.hint(['product:3'], { deadlineMs: -1 });
    await loop.hint(['other:1']); // no loader for other:*, no remote tier
    await cache.getOrSet('product:4', () => 1);
    await loop.hint(['product:4']); // present in l1
    const d = pf().dropped;
    expect(d).toMatchObject({ unknown_key: 1, low_confidence: 1, deadline: 1, no_loader: 1, present: 1 });
    expect(loads).toEqual([]);
  });

  it('drops a hint whose registered loader answers ctx.skipCache: nothing lands in l1', async () => {
    const { loop, cache, pf } = await setup();
    cache.registerLoader('private:*', ({ skipCache }) => skipCache('per-user'));
    await cache.getOrSet('private:1', ({ skipCache }) => skipCache('per-user'));
    await until(() => loop.samples.length >= 1);
    await loop.hint(['private:1']);
    await until(() => pf().dropped.uncacheable === 1);
    expect(pf()).toMatchObject({ issued: 1, outstanding: 0 });
    expect(await cache.get('private:1')).toBeUndefined();
  });

  it('is rate limited', async () => {
    const { loop, cache, pf } = await setup({ maxPerSecond: 2 });
    const keys = Array.from({ length: 10 }, (_, i) => `product:${i}`);
    for (const k of keys) await cache.getOrSet(k, () => 0);
    await cache.clear();
    await loop.hint(keys);
    expect(pf().issued).toBe(2);
    expect(pf().dropped.rate_limit).toBe(8);
  });

  it('serves a hinted key from a remote tier without calling the loader', async () => {
    const loop = new FakePrefetchLoop();
    loops.push(loop);
    await loop.start();
    const l2 = new FakeTier();
    const make = (prefetch: boolean) => {
      const c = createCache({
        name: 'shop',
        l1: { capacity: 10 },
        l2: { tier: l2 },
        ...(prefetch ? { prefetch: { bus: loop.cacheBus(), hashKey: loop.secret } } : {}),
      });
      caches.push(c);
      return c;
    };
    const reader = make(true);
    const writer = make(false);
    let calls = 0;
    reader.registerLoader('product:*', () => {
      calls++;
      return 'from-loader';
    });
    expect(await reader.get('product:9')).toBeUndefined(); // seen (sampled), not there yet
    await writer.set('product:9', 'from-l2');
    await loop.hint(['product:9']);
    await until(() => reader.stats().prefetch!.outstanding === 1);
    expect(calls).toBe(0);
    const misses = reader.stats().tiers.l1.misses;
    expect(await reader.get('product:9')).toBe('from-l2');
    expect(reader.stats().tiers.l1.misses).toBe(misses);
    expect(reader.stats().prefetch!.used).toBe(1);
  });

  it('never lands a prefetch after a delete or invalidation of the key that happened during the load', async () => {
    const { loop, cache, pf } = await setup();
    let release: (v: string) => void = () => {};
    cache.registerLoader('slow:*', () => new Promise<string>((r) => (release = r)));
    await cache.getOrSet('slow:1', () => 'v0');
    await cache.delete('slow:1');
    await loop.hint(['slow:1']);
    expect(pf().issued).toBe(1);
    await cache.invalidate('slow:1');
    release('stale');
    await until(() => pf().dropped.overtaken === 1);
    expect(await cache.get('slow:1')).toBeUndefined();
  });

  it('enters ARC T1 only: with l1 full of the frequency set it refuses rather than evict it', async () => {
    const { loop, cache, loads, pf } = await setup({}, 4);
    await cache.getOrSet('product:x', () => 0);
    await cache.delete('product:x');
    for (const k of ['a', 'b', 'c', 'd']) {
      await cache.set(k, k);
      await cache.get(k); // second reference: T2
    }
    expect(cache.stats().tiers.l1.policy).toMatchObject({ t1: 0, t2: 4 });
    await loop.hint(['product:x']);
    await until(() => pf().dropped.no_room === 1);
    expect(loads).toEqual(['product:x']);
    for (const k of ['a', 'b', 'c', 'd']) expect(await cache.get(k)).toBe(k);
  });

  it('counts prefetched entries evicted unread as wasted, and stops that pattern over the waste budget', async () => {
    const { loop, cache, pf } = await setup({ wasteBudget: 0.2, maxOutstanding: 100 }, 10);
    const keys = Array.from({ length: 30 }, (_, i) => `product:w${i}`);
    for (const k of keys) await cache.getOrSet(k, () => 0);
    await cache.clear();
    for (const k of keys) await loop.hint([k]);
    // The probe allowance: 4 wasted beyond the budget, counting open prefetches as wasted: 5 at 20 %.
    await until(() => pf().outstanding === 5);
    expect(pf()).toMatchObject({ issued: 5, used: 0 });
    expect(pf().dropped.backoff).toBe(25);
    // Unread prefetches pushed out by demand writes: wasted, and their pattern is off.
    for (let i = 0; i < 10; i++) await cache.set(`x${i}`, i);
    expect(pf()).toMatchObject({ wasted: 5, outstanding: 0, rateFactor: 0 });
    // ... for that pattern only.
    cache.registerLoader('reviews:*', () => 'r');
    await cache.getOrSet('reviews:1', () => 'r');
    await cache.delete('reviews:1');
    const before = pf();
    await loop.hint(['product:w0']);
    await loop.hint(['reviews:1']);
    expect(pf().dropped.backoff).toBe(before.dropped.backoff + 1);
    expect(pf().issued).toBe(before.issued + 1);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CacheEvent, createCache, type Loader, LoaderError, TimeoutError } from '../src/index.js';
import { deferred, FakeLock, FakeTier, tick } from './helpers/fake-tier.js';

afterEach(() => vi.useRealTimers());

describe('getOrSet', () => {
  it('loads once, then hits L1; counts loader outcomes', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 } });
    const loader = vi.fn(async () => ({ v: 1 }));
    expect(await cache.getOrSet('k', loader)).toEqual({ v: 1 });
    expect(await cache.getOrSet('k', loader)).toEqual({ v: 1 });
    expect(loader).toHaveBeenCalledTimes(1);
    const s = cache.stats();
    expect(s.loader).toMatchObject({ calls: 1, success: 1, error: 0 });
    expect(s.requests).toMatchObject({ hits: 1, misses: 1 });
    expect(s.tiers.l1).toMatchObject({ hits: 1, misses: 1, sets: 1 });
  });

  it('single-flight: N concurrent misses call the loader once', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, l2: new FakeTier() });
    const d = deferred<number>();
    const loader = vi.fn(() => d.promise);
    const all = Array.from({ length: 50 }, () => cache.getOrSet('hot', loader));
    await tick(5);
    d.resolve(7);
    expect(await Promise.all(all)).toEqual(Array(50).fill(7));
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().loader.coalesced).toBe(49);
    expect(cache.stats().inFlight).toBe(0);
  });

  it('single-flight also shares failures, and a later call retries', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 } });
    let n = 0;
    const loader = vi.fn(async () => {
      await tick(5);
      if (n++ === 0) throw new Error('db down');
      return 'ok';
    });
    const results = await Promise.allSettled([cache.getOrSet('k', loader), cache.getOrSet('k', loader)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const reason = (results[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(LoaderError);
    expect(reason.message).toContain('db down');
    expect(await cache.getOrSet('k', loader)).toBe('ok');
    expect(loader).toHaveBeenCalledTimes(2);
    expect(cache.stats().requests.errors).toBe(1);
  });

  it('passes key, namespace, stale value and an abort signal to the loader', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 10, grace: 1000 } });
    const ns = cache.namespace('users');
    await ns.getOrSet('1', () => 'old');
    vi.setSystemTime(Date.now() + 20);
    const loader = vi.fn(
      async (ctx: { key: string; namespace: string; stale: string | undefined; signal: AbortSignal }) => {
        expect(ctx).toMatchObject({ key: '1', namespace: 'users', stale: 'old' });
        expect(ctx.signal.aborted).toBe(false);
        return 'new';
      },
    );
    expect(await ns.getOrSet('1', loader)).toBe('new');
  });

  it('stale-while-revalidate serves stale and refreshes once in the background', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const cache = createCache({
      name: 'a',
      l1: { capacity: 10 },
      defaults: { ttl: 100, staleWhileRevalidate: 1000 },
    });
    const events: CacheEvent[] = [];
    cache.events.on('stale', (e) => events.push(e));
    await cache.getOrSet('k', () => 1);
    vi.setSystemTime(150);
    const d = deferred<number>();
    const loader = vi.fn(() => d.promise);
    expect(await cache.getOrSet('k', loader)).toBe(1);
    expect(await cache.getOrSet('k', loader)).toBe(1);
    expect(loader).toHaveBeenCalledTimes(1);
    d.resolve(2);
    await tick(5);
    expect(await cache.getOrSet('k', loader)).toBe(2);
    expect(events.map((e) => e.type === 'stale' && e.reason)).toEqual(['swr', 'swr']);
    expect(cache.stats().stale.swr).toBe(2);
    expect(cache.stats().loader.backgroundRefreshes).toBe(1);
    vi.setSystemTime(5000);
    const fresh = vi.fn(() => 3);
    expect(await cache.getOrSet('k', fresh)).toBe(3);
  });

  it('grace: loader failure serves the stale value and backs off before retrying', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const cache = createCache({
      name: 'a',
      l1: { capacity: 10 },
      defaults: { ttl: 100, grace: 60_000, graceBackoff: 1000 },
    });
    await cache.getOrSet('k', () => 'v1');
    vi.setSystemTime(200);
    const failing = vi.fn(async () => {
      throw new Error('down');
    });
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(failing).toHaveBeenCalledTimes(1);
    vi.setSystemTime(700);
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(failing).toHaveBeenCalledTimes(1);
    vi.setSystemTime(1300);
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(failing).toHaveBeenCalledTimes(2);
    // second consecutive failure doubles the backoff: 1300 + 2000
    vi.setSystemTime(3000);
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(failing).toHaveBeenCalledTimes(2);
    vi.setSystemTime(3400);
    expect(await cache.getOrSet('k', () => 'v2')).toBe('v2');
    const s = cache.stats();
    expect(s.stale).toMatchObject({ grace: 2, backoff: 2 });
    expect(s.loader).toMatchObject({ error: 2, success: 2 });
    vi.setSystemTime(100_000);
    await expect(cache.getOrSet('k', failing)).rejects.toThrow(LoaderError);
  });

  it('hard timeout rejects with TimeoutError and aborts the signal', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { timeouts: { hard: 30 } } });
    let signal: AbortSignal | undefined;
    const p = cache.getOrSet('k', async (ctx) => {
      signal = ctx.signal;
      await tick(200);
      return 1;
    });
    await expect(p).rejects.toThrow(TimeoutError);
    expect(signal?.aborted).toBe(true);
    expect(cache.stats().loader.timeout).toBe(1);
  });

  it('hard timeout with a stale value in grace serves it', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 20, grace: 10_000 } });
    await cache.set('k', 'old');
    await tick(30);
    const v = await cache.getOrSet('k', () => tick(200).then(() => 'new'), { hardTimeout: 30 });
    expect(v).toBe('old');
    expect(cache.stats().stale.grace).toBe(1);
  });

  it('soft timeout returns stale and lets the loader finish in the background', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 20, grace: 10_000 } });
    await cache.set('k', 'old');
    await tick(30);
    const t0 = Date.now();
    const v = await cache.getOrSet('k', () => tick(150).then(() => 'new'), { softTimeout: 20, ttl: 10_000 });
    expect(v).toBe('old');
    expect(Date.now() - t0).toBeLessThan(120);
    expect(cache.stats().stale.softTimeout).toBe(1);
    await tick(200);
    expect(await cache.get('k')).toBe('new');
  });

  it('soft timeout without a stale value waits for the loader', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 } });
    expect(await cache.getOrSet('k', () => tick(60).then(() => 'v'), { softTimeout: 10 })).toBe('v');
  });

  it('wrap caches by keyFn', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 } });
    const fn = vi.fn(async (a: number, b: number) => a + b);
    const add = cache.wrap(fn, (a, b) => `add:${a}:${b}`);
    expect(await add(1, 2)).toBe(3);
    expect(await add(1, 2)).toBe(3);
    expect(await add(2, 2)).toBe(4);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('stampede lock: two instances sharing L2 call the loader once', async () => {
    const l2 = new FakeTier();
    const lock = new FakeLock();
    const mk = () => createCache({ name: 'a', l1: { capacity: 10 }, l2, lock: { lock, pollMs: 5 } });
    const caches = [mk(), mk(), mk(), mk()];
    let calls = 0;
    const loader = async () => {
      calls++;
      await tick(40);
      return 'v';
    };
    const results = await Promise.all(
      caches.flatMap((c) => [c.getOrSet('k', loader), c.getOrSet('k', loader)]),
    );
    expect(results).toEqual(Array(8).fill('v'));
    expect(calls).toBe(1);
    const waited = caches.reduce((n, c) => n + c.stats().lock.waited, 0);
    expect(waited).toBe(3);
    expect(lock.held.size).toBe(0);
  });

  it('stampede lock: a waiter takes over when the holder fails', async () => {
    const l2 = new FakeTier();
    const lock = new FakeLock();
    const mk = () => createCache({ name: 'a', l1: { capacity: 10 }, l2, lock: { lock, pollMs: 5 } });
    const [a, b] = [mk(), mk()];
    const pa = a.getOrSet('k', async () => {
      await tick(30);
      throw new Error('holder failed');
    });
    await tick(2);
    const pb = b.getOrSet('k', async () => 'from-b');
    await expect(pa).rejects.toThrow(LoaderError);
    expect(await pb).toBe('from-b');
  });

  it('loader returning undefined is rejected with a clear error', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 } });
    await expect(cache.getOrSet('k', () => undefined)).rejects.toThrow(/undefined cannot be cached/);
  });
});

describe('ctx.skipCache(value): answered, stored nowhere, not a failed load', () => {
  it('returns the value to the caller and to joined callers; no tier stores it; counts a successful load', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'skip', l1: { capacity: 10 }, l2 });
    const d = deferred<void>();
    let calls = 0;
    const loader: Loader<string> = async (ctx) => {
      calls++;
      await d.promise;
      return ctx.skipCache(`personal ${calls}`);
    };
    const all = Array.from({ length: 3 }, () => cache.getOrSet<string>('me', loader));
    await tick(5);
    d.resolve();
    expect(await Promise.all(all)).toEqual(['personal 1', 'personal 1', 'personal 1']);
    expect(calls).toBe(1);
    expect(await cache.get('me')).toBeUndefined();
    expect(l2.data.size).toBe(0);
    // the next call loads again
    expect(await cache.getOrSet<string>('me', (ctx) => ctx.skipCache('again'))).toBe('again');
    const s = cache.stats();
    expect(s.loader).toMatchObject({ calls: 2, success: 2, error: 0, coalesced: 2 });
    expect(s.requests.errors).toBe(0);
    expect(s.tiers.l1.sets).toBe(0);
  });

  it('a background refresh that skips keeps the stale value', async () => {
    const cache = createCache({ name: 'skip-swr', l1: { capacity: 10 } });
    await cache.set('k', 'old', { ttl: 1, staleWhileRevalidate: 60_000 });
    await tick(5);
    const swr = { staleWhileRevalidate: 60_000 };
    expect(await cache.getOrSet('k', (ctx) => ctx.skipCache('not shared'), swr)).toBe('old');
    await tick(5);
    expect(await cache.get('k', { allowStale: true })).toBe('old');
    expect(cache.stats().loader).toMatchObject({ calls: 1, success: 1, error: 0 });
  });
});

describe('cache.defaults', () => {
  it('are the resolved defaults, read-only', () => {
    const cache = createCache({ name: 'd', l1: { capacity: 10 }, defaults: { ttl: 5_000, grace: 1_000 } });
    expect(cache.defaults).toEqual({
      ttl: 5_000,
      grace: 1_000,
      staleWhileRevalidate: 0,
      graceBackoff: 5_000,
      jitter: 0,
      sliding: false,
      timeouts: { soft: 0, hard: 0, tier: 1_000 },
    });
    expect(Object.isFrozen(cache.defaults) && Object.isFrozen(cache.defaults.timeouts)).toBe(true);
    expect(cache.namespace('n').defaults).toBe(cache.defaults);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CacheEvent,
  ConfigError,
  createCache,
  InvalidKeyError,
  InvalidValueError,
} from '../src/index.js';
import { FakeTier } from './helpers/fake-tier.js';

describe('createCache config', () => {
  it.each([
    [{ name: 'a', l1: { capacity: 0 } }, 'l1.capacity'],
    [{ name: 'bad name!', l1: { capacity: 1 } }, 'name'],
    [{ name: 'a', l1: { capacity: 1, policy: 'mru' } }, 'l1.policy'],
    [{ name: 'a', l1: { capacity: 1 }, defaults: { ttl: -1 } }, 'defaults.ttl'],
    [{ name: 'a', l1: { capacity: 1 }, defaults: { jitter: 2 } }, 'defaults.jitter'],
    [{ name: 'a', l1: { capacity: 1 }, l2: { get: 1 } }, 'l2'],
    [{ name: 'a', l1: { capacity: 1 }, lock: {} }, 'lock'],
    [{ name: 'a', l1: { capacity: 1 }, unknown: true }, 'unknown'],
    [{ name: 'a', l1: { capacity: 1 }, defaults: { timeouts: { tier: 0 } } }, 'defaults.timeouts.tier'],
  ])('rejects %j naming %s', (config, field) => {
    expect(() => createCache(config as never)).toThrow(ConfigError);
    expect(() => createCache(config as never)).toThrow(field);
  });

  it('applies documented defaults', () => {
    const c = createCache({ name: 'a', l1: { capacity: 10 } });
    const s = c.stats();
    expect(s.tiers.l1.policy.name).toBe('arc');
    expect(s.tiers.l1.capacity).toBe(10);
    expect(s.tiers.l2).toBeUndefined();
  });
});

describe('basic operations (L1 only and L1+fake L2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  for (const withL2 of [false, true]) {
    const label = withL2 ? 'L1+L2' : 'L1';
    const make = () => {
      const l2 = new FakeTier();
      const cache = createCache({
        name: 'app',
        l1: { capacity: 100 },
        ...(withL2 ? { l2 } : {}),
        defaults: { ttl: 1000 },
      });
      return { cache, l2 };
    };

    it(`${label}: set/get/has/delete and TTL expiry`, async () => {
      const { cache } = make();
      await cache.set('k', { a: 1, d: new Date(5) });
      expect(await cache.get('k')).toEqual({ a: 1, d: new Date(5) });
      expect(await cache.has('k')).toBe(true);
      vi.setSystemTime(1_000_999);
      expect(await cache.get('k')).toBeDefined();
      vi.setSystemTime(1_001_000);
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.has('k')).toBe(false);
      await cache.set('k', 1, { ttl: 50 });
      expect(await cache.delete('k')).toBe(true);
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.delete('k')).toBe(false);
    });

    it(`${label}: null is cacheable, undefined is rejected`, async () => {
      const { cache } = make();
      await cache.set('n', null);
      expect(await cache.get('n')).toBeNull();
      await expect(cache.set('u', undefined)).rejects.toThrow(InvalidValueError);
    });

    it(`${label}: getMany/setMany/deleteMany`, async () => {
      const { cache } = make();
      await cache.setMany<unknown>([
        { key: 'a', value: 1 },
        { key: 'b', value: 'two', ttl: 10 },
      ]);
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([1, 'two', undefined]);
      vi.setSystemTime(1_000_010);
      expect(await cache.getMany(['a', 'b'])).toEqual([1, undefined]);
      expect(await cache.deleteMany(['a', 'b'])).toBeGreaterThanOrEqual(1);
      expect(await cache.getMany(['a'])).toEqual([undefined]);
    });

    it(`${label}: tags`, async () => {
      const { cache } = make();
      await cache.set('u1', 1, { tags: ['users'] });
      await cache.set('u2', 2, { tags: ['users', 'vip'] });
      await cache.set('p1', 3, { tags: ['products'] });
      expect(await cache.deleteByTag('users')).toBe(2);
      expect(await cache.getMany(['u1', 'u2', 'p1'])).toEqual([undefined, undefined, 3]);
      await expect(cache.set('x', 1, { tags: [''] })).rejects.toThrow(InvalidKeyError);
    });

    it(`${label}: namespaces are isolated and clear is scoped`, async () => {
      const { cache, l2 } = make();
      const users = cache.namespace('users');
      const admins = users.namespace('admins');
      const other = cache.namespace('users2');
      await cache.set('1', 'root');
      await users.set('1', 'user');
      await admins.set('1', 'admin');
      await other.set('1', 'other');
      await users.set('t', 'tagged', { tags: ['x'] });
      await cache.set('t', 'root-tagged', { tags: ['x'] });
      expect(await cache.get('1')).toBe('root');
      expect(await users.get('1')).toBe('user');
      expect(await admins.get('1')).toBe('admin');
      expect(await users.deleteByTag('x')).toBe(1);
      expect(await cache.get('t')).toBe('root-tagged');
      await users.clear();
      expect(await users.get('1')).toBeUndefined();
      expect(await admins.get('1')).toBeUndefined();
      expect(await other.get('1')).toBe('other');
      expect(await cache.get('1')).toBe('root');
      if (withL2) expect([...l2.data.keys()].sort()).toEqual(['app::1', 'app::t', 'app:users2::1']);
      await cache.clear();
      expect(await other.get('1')).toBeUndefined();
      expect(await cache.get('1')).toBeUndefined();
      if (withL2) expect(l2.data.size).toBe(0);
      expect(() => cache.namespace('a:b')).toThrow(ConfigError);
    });

    it(`${label}: bad keys and values fail before any tier is touched`, async () => {
      const { cache, l2 } = make();
      await expect(cache.get('')).rejects.toThrow(InvalidKeyError);
      await expect(cache.set('x'.repeat(1025), 1)).rejects.toThrow(/maxKeyLength/);
      await expect(cache.get(42 as unknown as string)).rejects.toThrow(InvalidKeyError);
      await expect(cache.set('\0x', 1)).rejects.toThrow(InvalidKeyError);
      await expect(cache.set('f', { f: () => 1 })).rejects.toThrow(/function/);
      await expect(cache.set('s', { s: Symbol('x') })).rejects.toThrow(/symbol/);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(cache.set('c', circular)).rejects.toThrow(/circular/);
      const shared = { x: 1 };
      await cache.set('dag', { a: shared, b: shared });
      expect(await cache.get('dag')).toEqual({ a: { x: 1 }, b: { x: 1 } });
      await expect(
        cache.setMany<unknown>([
          { key: 'ok', value: 1 },
          { key: 'bad', value: () => 1 },
        ]),
      ).rejects.toThrow(InvalidValueError);
      expect(await cache.get('ok')).toBeUndefined();
      expect(l2.calls.filter((c) => c.startsWith('set'))).toEqual(withL2 ? ['set'] : []);
    });

    it(`${label}: maxValueBytes`, async () => {
      const l2 = new FakeTier();
      const cache = createCache({
        name: 'a',
        l1: { capacity: 10 },
        ...(withL2 ? { l2 } : {}),
        maxValueBytes: 1000,
      });
      await expect(cache.set('big', 'x'.repeat(5000))).rejects.toThrow(/maxValueBytes/);
      expect(l2.calls).toEqual([]);
      expect(await cache.get('big')).toBeUndefined();
    });
  }

  it('L1 capacity evictions go through the policy (LRU order) and are counted', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 2, policy: 'lru' } });
    const evicted: CacheEvent[] = [];
    cache.events.on('evict', (e) => evicted.push(e));
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(evicted).toEqual([{ type: 'evict', cache: 'a', tier: 'l1', key: 'a::b', reason: 'capacity' }]);
    expect(cache.stats().tiers.l1.evictions.capacity).toBe(1);
  });

  it('ARC policy snapshot is exposed', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 2 } });
    for (const k of ['a', 'a', 'b', 'c', 'b']) await cache.set(k, 1);
    const p = cache.stats().tiers.l1.policy;
    expect(p.name).toBe('arc');
    expect(p).toMatchObject({ capacity: 2 });
    expect('p' in p && typeof p.p).toBe('number');
    expect('ghostHitsB1' in p && p.ghostHitsB1).toBe(1);
  });

  it('maxBytes bounds L1 by estimated size', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 100, maxBytes: 1000 } });
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, 'x'.repeat(100));
    const s = cache.stats().tiers.l1;
    expect(s.bytes).toBeLessThanOrEqual(1000);
    expect(s.entries).toBeLessThan(10);
    expect(await cache.get('k9')).toBeDefined();
    expect(await cache.get('k0')).toBeUndefined();
  });

  it('jitter shortens ttl within the fraction', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 1000 }, defaults: { ttl: 1000, jitter: 0.5 } });
    const ttls: number[] = [];
    cache.events.on('set', (e) => ttls.push(e.ttlMs));
    for (let i = 0; i < 200; i++) await cache.set(`k${i}`, i);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(1000);
    expect(new Set(ttls).size).toBeGreaterThan(20);
  });

  it('sliding expiration extends freshness on L1 hits', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 100, sliding: true } });
    await cache.set('k', 1);
    for (let i = 0; i < 5; i++) {
      vi.setSystemTime(Date.now() + 80);
      expect(await cache.get('k')).toBe(1);
    }
    vi.setSystemTime(Date.now() + 101);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('get with allowStale returns a value inside its grace window', async () => {
    const cache = createCache({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 100, grace: 1000 } });
    await cache.set('k', 1);
    vi.setSystemTime(Date.now() + 500);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k', { allowStale: true })).toBe(1);
  });
});

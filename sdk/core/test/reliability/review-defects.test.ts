// Regression tests for the nine defects the reliability review reproduced against the SDK (issue 14). Each test
// drives the public API the way the review did and fails on the code before its fix.
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GraceBackoff } from '../../src/cache/grace-backoff.js';
import {
  type CacheEvent,
  ConfigError,
  createCache,
  InvalidKeyError,
  InvalidValueError,
  TimeoutError,
} from '../../src/index.js';
import { fsTier } from '../../src/tiers/fs/index.js';
import { FakeTier } from '../helpers/fake-tier.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnicache-defects-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const countFiles = async (path: string): Promise<{ dirs: number; files: number }> => {
  let dirs = 0;
  let files = 0;
  for (const d of await readdir(path).catch(() => [] as string[])) {
    dirs++;
    files += (await readdir(join(path, d))).length;
  }
  return { dirs, files };
};

describe('defect 1: keys with lone surrogates', () => {
  it('are refused with InvalidKeyError before any tier is touched, so two of them cannot share an fs entry', async () => {
    const l3 = fsTier(dir);
    const cache = createCache({ name: 'd1', l1: { capacity: 10 }, l3 });
    await expect(cache.set('user:\uD800', 'a')).rejects.toThrow(InvalidKeyError);
    await expect(cache.set('user:\uDC00', 'b')).rejects.toThrow(/lone surrogate/);
    await expect(cache.get('user:\uDC00')).rejects.toThrow(InvalidKeyError);
    await expect(cache.getOrSet('user:\uD800', () => 'x')).rejects.toThrow(InvalidKeyError);
    await expect(cache.has('user:\uD800')).rejects.toThrow(InvalidKeyError);
    await expect(cache.delete('user:\uD800')).rejects.toThrow(InvalidKeyError);
    await expect(cache.set('k', 1, { tags: ['t\uDFFF'] })).rejects.toThrow(InvalidKeyError);
    await expect(cache.deleteByTag('t\uD800')).rejects.toThrow(InvalidKeyError);
    expect(await readdir(dir)).toEqual([]);
    // well-formed astral characters (surrogate pairs) are fine and stay distinct
    await cache.set('user:😀', 'grin');
    await cache.set('user:😁', 'beam');
    const other = createCache({ name: 'd1', l1: { capacity: 10 }, l3: fsTier(dir) });
    expect(await other.get('user:😀')).toBe('grin');
    expect(await other.get('user:😁')).toBe('beam');
    await cache.close();
    await other.close();
  });
});

describe('defect 2: the grace backoff per key is bounded', () => {
  it('forgets the oldest keys beyond its bound (a key that once failed does not stay forever)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const capacity = 1500;
    const cache = createCache({
      name: 'd2',
      l1: { capacity },
      l2: new FakeTier(), // the stale values stay there after L1 let them go
      defaults: { ttl: 10, grace: 3_600_000, graceBackoff: 600_000 },
    });
    const keys = Array.from({ length: capacity + 200 }, (_, i) => `k${i}`);
    for (const k of keys) await cache.set(k, `stale-${k}`);
    vi.setSystemTime(1_000_100);
    const failing = () => Promise.reject(new Error('db down'));
    // k0 fails under grace first: it is backed off for 10 minutes
    expect(await cache.getOrSet('k0', failing)).toBe('stale-k0');
    let calls = 0;
    const counting = () => {
      calls++;
      return Promise.reject(new Error('db down'));
    };
    expect(await cache.getOrSet('k0', counting)).toBe('stale-k0');
    expect(calls).toBe(0); // inside its backoff: no loader call
    // 1,500 other keys fail after it: the table (bounded by L1's capacity) forgets k0 first
    for (const k of keys.slice(1, capacity + 1)) await cache.getOrSet(k, failing);
    expect(await cache.getOrSet('k0', counting)).toBe('stale-k0');
    expect(calls).toBe(1);
    await cache.close();
  });

  it('GraceBackoff keeps at most its capacity, the most recently set last to go', () => {
    const t = new GraceBackoff(10);
    expect(t.capacity).toBe(1024);
    for (let i = 0; i < 200_000; i++) t.set(`key-${i}`, { until: i, failures: 1 });
    expect(t.size).toBe(1024);
    expect(t.forgotten).toBe(200_000 - 1024);
    expect(t.get('key-199999')).toEqual({ until: 199_999, failures: 1 });
    expect(t.get('key-0')).toBeUndefined();
  });
});

describe('defect 3: fsTier tag markers and tag directories', () => {
  it('go with their entries: expired and read, deleted, cleared, or re-written without the tag', async () => {
    const cache = createCache({ name: 'd3', l1: { capacity: 10 }, l3: fsTier(dir) });
    const n = 40;
    for (let i = 0; i < n; i++) await cache.set(`e${i}`, i, { ttl: 30, tags: [`own-${i}`, 'shared'] });
    expect(await countFiles(join(dir, 't'))).toEqual({ dirs: n + 1, files: 2 * n });
    await sleep(60);
    const reader = createCache({ name: 'd3', l1: { capacity: 10 }, l3: fsTier(dir) });
    for (let i = 0; i < n; i++) expect(await reader.get(`e${i}`)).toBeUndefined();
    expect(await countFiles(join(dir, 't'))).toEqual({ dirs: 0, files: 0 });

    await cache.set('del', 1, { tags: ['a'] });
    await cache.delete('del');
    await cache.set('rw', 1, { tags: ['b', 'c'] });
    await cache.set('rw', 2, { tags: ['c'] });
    expect(await readdir(join(dir, 't'))).toHaveLength(1);
    await cache.clear();
    expect(await countFiles(join(dir, 't'))).toEqual({ dirs: 0, files: 0 });
    await cache.close();
    await reader.close();
  });

  it('sweep() removes expired entries nobody read, orphan markers and empty tag directories', async () => {
    const tier = fsTier(dir);
    for (let i = 0; i < 30; i++) {
      await tier.set(`x${i}`, new Uint8Array([i]), { ttlMs: 20, tags: [`t${i}`] });
    }
    await tier.set('live', new Uint8Array([1]), { ttlMs: 60_000, tags: ['keep'] });
    // an orphan marker (its entry removed behind the tier's back), old enough to be past the writers' grace
    await writeFile(join(dir, 't', 'f'.repeat(64)), '').catch(() => undefined);
    const orphanDir = join(dir, 't', '0'.repeat(64));
    await import('node:fs/promises').then((fs) => fs.mkdir(orphanDir, { recursive: true }));
    await writeFile(join(orphanDir, 'a'.repeat(64)), '');
    const old = new Date(Date.now() - 120_000);
    await utimes(join(orphanDir, 'a'.repeat(64)), old, old);
    await sleep(40);
    const swept = await tier.sweep();
    expect(swept.entries).toBe(30);
    expect(swept.markers).toBe(1);
    const left = await readdir(join(dir, 't'));
    expect(left.filter((d) => d !== 'f'.repeat(64))).toHaveLength(1); // only 'keep'
    expect([...(await tier.get('live'))!]).toEqual([1]);
    expect(await tier.deleteByTag('keep')).toBe(1);
    await tier.close();
  });

  it('writes start the sweep in the background every sweepIntervalMs', async () => {
    const tier = fsTier(dir, { sweepIntervalMs: 50 });
    for (let i = 0; i < 10; i++) await tier.set(`x${i}`, new Uint8Array([i]), { ttlMs: 10, tags: [`t${i}`] });
    await sleep(80);
    await tier.set('trigger', new Uint8Array([0]), { ttlMs: 60_000 });
    await vi.waitFor(async () => expect(await countFiles(join(dir, 't'))).toEqual({ dirs: 0, files: 0 }));
    await tier.close();
  });
});

describe('defect 4: the decode limit is checked at set()', () => {
  it('a value that compresses under maxValueBytes but decodes past 64 MiB is refused, not stored', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'd4', l1: { capacity: 10 }, l2, codec: { compressThreshold: 1024 } });
    const big = 'a'.repeat(65 * 1024 * 1024);
    await expect(cache.set('big', big)).rejects.toThrow(InvalidValueError);
    await expect(cache.set('big', big)).rejects.toThrow(/decode limit/);
    expect(l2.data.size).toBe(0);
    expect(await cache.get('big')).toBeUndefined();
    await cache.close();
  });
});

describe('defect 5: timeouts of 2^31 ms or more', () => {
  it('are refused with a typed error instead of firing after 1 ms', async () => {
    const cache = createCache({ name: 'd5', l1: { capacity: 10 } });
    const slow = () => sleep(30).then(() => 'v');
    const huge = 2 ** 31;
    await expect(cache.getOrSet('a', slow, { hardTimeout: huge })).rejects.toThrow(InvalidValueError);
    await expect(cache.getOrSet('a', slow, { softTimeout: huge })).rejects.toThrow(/24\.8 days/);
    await expect(cache.getOrSet('a', slow, { hardTimeout: huge - 1 })).resolves.toBe('v');
    expect(() =>
      createCache({ name: 'd5', l1: { capacity: 1 }, defaults: { timeouts: { hard: huge } } }),
    ).toThrow(ConfigError);
    expect(() =>
      createCache({ name: 'd5', l1: { capacity: 1 }, defaults: { timeouts: { tier: 1e12 } } }),
    ).toThrow(/defaults\.timeouts\.tier/);
    expect(() =>
      createCache({ name: 'd5', l1: { capacity: 1 }, l2: { tier: new FakeTier(), timeoutMs: huge } }),
    ).toThrow(ConfigError);
    // a timeout just under the limit still times out normally
    await expect(cache.getOrSet('b', () => new Promise(() => {}), { hardTimeout: 20 })).rejects.toThrow(
      TimeoutError,
    );
    await cache.close();
  });
});

describe('defect 6: a value larger than L1 maxBytes', () => {
  it('is refused by L1 (which keeps what it holds) and still stored in the lower tiers', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'd6', l1: { capacity: 100, maxBytes: 10_000 }, l2 });
    for (let i = 0; i < 10; i++) await cache.set(`small${i}`, i);
    await cache.set('big', 'old');
    const before = cache.stats().tiers.l1.entries;
    await cache.set('big', 'x'.repeat(1_000_000));
    const l1 = cache.stats().tiers.l1;
    expect(l1.entries).toBe(before - 1); // the small ones stay, the old 'big' is gone, the new one is not held
    expect(l1.bytes).toBeLessThanOrEqual(10_000);
    expect(l1.oversize).toBe(1);
    expect(await cache.get('big')).toHaveLength(1_000_000); // from L2, never L1's older value
    expect(cache.stats().tiers.l1.bytes).toBeLessThanOrEqual(10_000); // promotion refused as well
    await cache.close();
  });
});

describe('defect 7: metrics and events', () => {
  it('get(k, { allowStale }) serving a stale value counts it and emits a stale event', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const cache = createCache({ name: 'd7', l1: { capacity: 10 }, defaults: { ttl: 10, grace: 60_000 } });
    const events: CacheEvent[] = [];
    cache.events.on('stale', (e) => events.push(e));
    await cache.set('k', 'v');
    vi.setSystemTime(1_000_100);
    expect(await cache.get('k', { allowStale: true })).toBe('v');
    const s = cache.stats();
    expect(s.requests).toMatchObject({ hits: 0, misses: 0, stale: 1 });
    expect(s.stale.allowStale).toBe(1);
    expect(events).toEqual([expect.objectContaining({ type: 'stale', reason: 'allow-stale', tier: 'l1' })]);
    await cache.close();
  });

  it('a background refresh that finds a fresh copy in L2 does not count a request hit', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const l2 = new FakeTier();
    const a = createCache({ name: 'd7', l1: { capacity: 10 }, l2 });
    const b = createCache({ name: 'd7', l1: { capacity: 10 }, l2 });
    await a.set('k', 'old', { ttl: 10, staleWhileRevalidate: 60_000 });
    vi.setSystemTime(1_000_100);
    await b.set('k', 'new', { ttl: 60_000 }); // another instance wrote a fresh copy
    let loads = 0;
    const loader = () => {
      loads++;
      return 'loaded';
    };
    expect(await a.getOrSet('k', loader, { staleWhileRevalidate: 60_000 })).toBe('old');
    await vi.waitFor(() => expect(a.stats().inFlight).toBe(0));
    expect(loads).toBe(0);
    expect(a.stats().requests).toMatchObject({ hits: 0, stale: 1 });
    expect(await a.get('k')).toBe('new'); // the refresh promoted L2's copy
    await a.close();
    await b.close();
  });

  it('deleteMany emits one invalidate event per key with what that key removed', async () => {
    for (const l2 of [undefined, new FakeTier(), fsTier(dir)]) {
      const cache = createCache({ name: 'd7', l1: { capacity: 10 }, ...(l2 && { l2 }) });
      const events: CacheEvent[] = [];
      cache.events.on('invalidate', (e) => events.push(e));
      await cache.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ]);
      expect(await cache.deleteMany(['a', 'b', 'never'])).toBe(2);
      expect(events.map((e) => e.type === 'invalidate' && [e.target, e.removed])).toEqual([
        ['d7::a', 1],
        ['d7::b', 1],
        ['d7::never', 0],
      ]);
      await cache.close();
    }
  });
});

describe('defect 8: values the codec cannot carry exactly', () => {
  it('an own __proto__ key and lone surrogates are refused at set() with InvalidValueError (with a remote tier)', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'd8', l1: { capacity: 10 }, l2 });
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "a": 1}') as unknown;
    await expect(cache.set('p', parsed)).rejects.toThrow(InvalidValueError);
    await expect(cache.set('p', parsed)).rejects.toThrow(/__proto__/);
    await expect(cache.set('s', 'half \uD83D pair')).rejects.toThrow(/lone surrogate/);
    await expect(cache.set('s', { nested: ['\uDE00'] })).rejects.toThrow(/\$\.nested\[0\]/);
    await expect(cache.set('s', new Map([['\uD800', 1]]))).rejects.toThrow(InvalidValueError);
    await expect(cache.getOrSet('s', () => ({ ['k\uDBFF']: 1 }))).rejects.toThrow(InvalidValueError);
    expect(l2.data.size).toBe(0);
    // what is accepted comes back exactly on another instance
    const value = { emoji: '😀 ok', nested: { list: [1, 'two', null] }, ['proto' + '_']: 1 };
    await cache.set('ok', value);
    const other = createCache({ name: 'd8', l1: { capacity: 10 }, l2 });
    expect(await other.get('ok')).toEqual(value);
    await cache.close();
    await other.close();
  });

  it('a getter that throws becomes InvalidValueError, with or without remote tiers', async () => {
    const value = {
      ok: 1,
      get broken(): number {
        throw new Error('getter exploded');
      },
    };
    for (const l2 of [undefined, new FakeTier()]) {
      const cache = createCache({ name: 'd8', l1: { capacity: 10 }, ...(l2 && { l2 }) });
      const err = await cache.set('g', value).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidValueError);
      expect((err as Error).message).toMatch(/getter exploded/);
      expect((err as Error).cause).toBeInstanceOf(Error);
      await expect(cache.getOrSet('g2', () => value)).rejects.toThrow(InvalidValueError);
      await cache.close();
    }
  });
});

describe('defect 9: set() ends the grace backoff', () => {
  it('after a set, a stale value again triggers the loader instead of serving backoff', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const cache = createCache({
      name: 'd9',
      l1: { capacity: 10 },
      defaults: { ttl: 100, grace: 60_000, graceBackoff: 10_000 },
    });
    await cache.set('k', 'v1');
    vi.setSystemTime(1_000_200);
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('down')))).toBe('v1'); // backoff until +10 s
    await cache.set('k', 'v2');
    vi.setSystemTime(1_000_400); // v2 stale, still inside the old backoff window
    let calls = 0;
    expect(
      await cache.getOrSet('k', () => {
        calls++;
        return 'v3';
      }),
    ).toBe('v3');
    expect(calls).toBe(1);
    expect(cache.stats().stale.backoff).toBe(0);
    await cache.close();
  });
});

describe('defect 1 (getMany)', () => {
  it('an invalid key anywhere in getMany throws before anything is looked up', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'd1m', l1: { capacity: 10 }, l2 });
    await cache.set('a', 1);
    l2.calls.length = 0;
    await expect(cache.getMany(['a', 'b', 'c\uD800'])).rejects.toThrow(InvalidKeyError);
    expect(l2.calls).toEqual([]);
    expect(await cache.getMany(['a', 'b'])).toEqual([1, undefined]);
    await cache.close();
  });
});

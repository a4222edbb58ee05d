// Regression tests for the six defects of issue 8 part 1: one process never serves what it already
// overwrote or deleted. Each test failed before per-key versions existed.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, fsTier, LoaderError, TimeoutError } from '../../src/index.js';
import { encodeEntry } from '../../src/tiers/fs/entry-file.js';
import { deferred, tick } from '../helpers/fake-tier.js';
import { holdReplies, OrderedTier } from '../helpers/ordered-tier.js';

afterEach(() => vi.useRealTimers());

/** Two caches (two "instances") sharing one L2 whose `get` replies are held until release(). */
function twoInstances() {
  const held = holdReplies('get');
  const heldMany = holdReplies('getMany');
  const l2 = new OrderedTier('redis', (op, keys) => held.gate(op, keys) ?? heldMany.gate(op, keys));
  const a = createCache({ name: 'c', l1: { capacity: 100 }, l2 });
  const b = createCache({ name: 'c', l1: { capacity: 100 }, l2 });
  return { a, b, l2, held, heldMany };
}

describe('defect 1: a promotion never lands after a write or delete of the key', () => {
  it('get: L2 read in flight, then set(): later gets serve the new value', async () => {
    const { a, b, held } = twoInstances();
    await b.set('k', 'old');
    const reading = a.get('k');
    await tick();
    await a.set('k', 'new');
    held.release();
    expect(await reading).toBe('old'); // concurrent with the set: either answer is allowed
    expect(await a.get('k')).toBe('new');
  });

  it('get: L2 read in flight, then delete(): later gets miss', async () => {
    const { a, b, held } = twoInstances();
    await b.set('k', 'old');
    const reading = a.get('k');
    await tick();
    const deleting = a.delete('k');
    held.release();
    await deleting;
    await reading;
    held.release();
    expect(await a.get('k')).toBeUndefined();
  });

  it('getMany: L2 read in flight, then set(): later gets serve the new value', async () => {
    const { a, b, heldMany } = twoInstances();
    await b.set('k', 'old');
    const reading = a.getMany(['k']);
    await tick();
    await a.set('k', 'new');
    heldMany.release();
    await reading;
    expect(await a.get('k')).toBe('new');
  });
});

describe('defect 2: a load that started before a write or invalidation never lands after it', () => {
  const invalidations = {
    set: async (c: ReturnType<typeof createCache>) => c.set('k', 'new'),
    delete: async (c: ReturnType<typeof createCache>) => c.delete('k'),
    deleteMany: async (c: ReturnType<typeof createCache>) => c.deleteMany(['k']),
    deleteByTag: async (c: ReturnType<typeof createCache>) => c.deleteByTag('t'),
    clear: async (c: ReturnType<typeof createCache>) => c.clear(),
  };
  for (const [name, invalidate] of Object.entries(invalidations)) {
    it(`a getOrSet load in flight does not land after ${name}()`, async () => {
      const l2 = new OrderedTier();
      const cache = createCache({ name: 'c', l1: { capacity: 100 }, l2 });
      const d = deferred<string>();
      const loading = cache.getOrSet('k', () => d.promise, { tags: ['t'] });
      await tick();
      await invalidate(cache);
      d.resolve('loaded-before');
      expect(await loading).toBe('loaded-before');
      const expected = name === 'set' ? 'new' : undefined;
      expect(await cache.get('k')).toBe(expected);
      // and a fresh instance reading L2 agrees
      expect(await createCache({ name: 'c', l1: { capacity: 10 }, l2 }).get('k')).toBe(expected);
    });
  }

  it('a getOrSet issued after `await delete()` does not join the load that started before it', async () => {
    const cache = createCache({ name: 'c', l1: { capacity: 100 } });
    const d = deferred<string>();
    const first = cache.getOrSet('k', () => d.promise);
    await tick();
    await cache.delete('k');
    const loader = vi.fn(async () => 'after-delete');
    const second = cache.getOrSet('k', loader);
    d.resolve('before-delete');
    expect(await first).toBe('before-delete');
    expect(await second).toBe('after-delete');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await cache.get('k')).toBe('after-delete');
  });

  it('a getOrSet issued after `await deleteByTag()` does not join a load of a value with that tag', async () => {
    const cache = createCache({ name: 'c', l1: { capacity: 100 } });
    const d = deferred<string>();
    const first = cache.getOrSet('k', () => d.promise, { tags: ['t'] });
    await tick();
    await cache.deleteByTag('t');
    const second = cache.getOrSet('k', async () => 'after', { tags: ['t'] });
    d.resolve('before');
    await first;
    expect(await second).toBe('after');
  });

  it('a loader past its hard timeout never writes its result over a newer value', async () => {
    const l2 = new OrderedTier();
    const cache = createCache({ name: 'c', l1: { capacity: 100 }, l2 });
    const d = deferred<string>();
    await expect(cache.getOrSet('k', () => d.promise, { hardTimeout: 20 })).rejects.toThrow(TimeoutError);
    await cache.set('k', 'newer');
    d.resolve('late');
    await tick(10);
    expect(await cache.get('k')).toBe('newer');
    expect(await createCache({ name: 'c', l1: { capacity: 10 }, l2 }).get('k')).toBe('newer');
  });
});

/** One loader ran, counted in flight until it settles, and its value then lands. */
async function expectOneSharedLoad(
  cache: ReturnType<typeof createCache>,
  loader: () => Promise<string>,
  d: { resolve: (v: string) => void },
): Promise<void> {
  expect(loader).toHaveBeenCalledTimes(1);
  expect(cache.stats().inFlight).toBe(1);
  d.resolve('new');
  await tick(5);
  expect(cache.stats().inFlight).toBe(0);
  expect(await cache.get('k')).toBe('new');
}

describe('defect 3: a soft timeout keeps single-flight', () => {
  it('three calls served stale under soft timeout share one loader, and inFlight shows it', async () => {
    const cache = createCache({ name: 'c', l1: { capacity: 10 }, defaults: { ttl: 20, grace: 60_000 } });
    await cache.set('k', 'old');
    await tick(30);
    const d = deferred<string>();
    const loader = vi.fn(() => d.promise);
    for (let i = 0; i < 3; i++) {
      expect(await cache.getOrSet('k', loader, { softTimeout: 10, ttl: 60_000 })).toBe('old');
    }
    await expectOneSharedLoad(cache, loader, d);
  });
});

describe('single-flight while a load outlives its first answer', () => {
  it('a remote stale-while-revalidate hit: later callers share the one background refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const l2 = new OrderedTier();
    const opts = { ttl: 100, staleWhileRevalidate: 10_000 };
    await createCache({ name: 'c', l1: { capacity: 10 }, l2, defaults: opts }).set('k', 'old');
    vi.setSystemTime(500);
    const cache = createCache({ name: 'c', l1: { capacity: 10 }, l2, defaults: opts }); // L1 empty: finds it in L2
    const d = deferred<string>();
    const loader = vi.fn(() => d.promise);
    const answers = await Promise.all([1, 2, 3].map(() => cache.getOrSet('k', loader)));
    expect(answers).toEqual(['old', 'old', 'old']);
    expect(await cache.getOrSet('k', loader)).toBe('old');
    await expectOneSharedLoad(cache, loader, d);
  });
});

describe('fsTier under concurrency', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omnicache-consistency-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const bytes = (s: string) => new TextEncoder().encode(s);
  const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
  const hash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

  it('defect 4: reading an expired or corrupt entry never deletes a fresh value renamed in meanwhile', async () => {
    const reader = fsTier(dir);
    const writer = fsTier(dir);
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    await writer.setMany(keys.map((key) => ({ key, value: bytes('expired'), ttlMs: 1 })));
    // half of them corrupt instead of expired
    for (const key of keys.slice(50)) {
      const path = join(dir, 'v', hash(key).slice(0, 2), hash(key));
      const good = encodeEntry(key, bytes('x'), [], Date.now() + 60_000);
      await writeFile(path, good.subarray(0, good.length - 1));
    }
    await tick(5);
    await Promise.all(
      keys.map((key) => Promise.all([reader.get(key), writer.set(key, bytes('fresh'), { ttlMs: 60_000 })])),
    );
    const check = fsTier(dir);
    const values = await Promise.all(keys.map((k) => check.get(k)));
    expect(values.filter((v) => text(v) !== 'fresh').length).toBe(0);
  });

  it('defect 5: two writes of one key land in call order; setMany with a duplicate key keeps the last', async () => {
    const tier = fsTier(dir);
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await Promise.all(
      keys.flatMap((key) => [
        tier.set(key, bytes('first'), { ttlMs: 60_000 }),
        tier.set(key, bytes('second'), { ttlMs: 60_000 }),
      ]),
    );
    const values = await Promise.all(keys.map((k) => fsTier(dir).get(k)));
    expect(values.filter((v) => text(v) !== 'second').length).toBe(0);

    await tier.setMany([
      { key: 'dup', value: bytes('a'), ttlMs: 60_000 },
      { key: 'dup', value: bytes('b'), ttlMs: 60_000 },
    ]);
    expect(text(await fsTier(dir).get('dup'))).toBe('b');
  });

  it('defect 5 through the cache: L1 and L3 agree after two unawaited sets', async () => {
    const cache = createCache({ name: 'c', l1: { capacity: 1000 }, l3: fsTier(dir) });
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await Promise.all(keys.flatMap((k) => [cache.set(k, 'first'), cache.set(k, 'second')]));
    const other = createCache({ name: 'c', l1: { capacity: 1000 }, l3: fsTier(dir) });
    const l3 = await Promise.all(keys.map((k) => other.get(k)));
    expect(l3.filter((v) => v !== 'second').length).toBe(0);
  });

  describe('every call of a key in order (found by the model test on real tiers)', () => {
    it('a read sees the writes and deletes called before it', async () => {
      const tier = fsTier(dir);
      const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
      await tier.setMany(keys.map((key) => ({ key, value: bytes('v1'), ttlMs: 60_000 })));
      const reads = keys.map((key) => {
        void tier.set(key, bytes('v2'), { ttlMs: 60_000 });
        void tier.delete(key);
        return tier.get(key);
      });
      expect((await Promise.all(reads)).filter((v) => v !== undefined).length).toBe(0);
    });

    it('clear and deleteByTag remove what was written before they were called', async () => {
      const tier = fsTier(dir);
      await tier.clear('p:'); // builds the index
      void tier.set('p:a', bytes('a'), { ttlMs: 60_000 });
      void tier.set('q:b', bytes('b'), { ttlMs: 60_000, tags: ['t'] });
      expect(await tier.clear('p:')).toBe(1);
      expect(await tier.deleteByTag('t')).toBe(1);
      expect(await tier.getMany(['p:a', 'q:b'])).toEqual([undefined, undefined]);
    });

    it('a write that finds its tag directory gone is retried in its place, not after a later delete', async () => {
      const tier = fsTier(dir);
      await tier.set('k', bytes('v1'), { ttlMs: 60_000, tags: ['t'] });
      await tier.deleteByTag('t'); // removes the (now empty) tag directory
      await Promise.all([tier.set('k', bytes('v2'), { ttlMs: 60_000, tags: ['t'] }), tier.delete('k')]);
      expect(await fsTier(dir).get('k')).toBeUndefined();
    });
  });
});

describe('defect 6: a getOrSet joining a stale-while-revalidate refresh', () => {
  it('gets LoaderError (not the raw error), and the error is counted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const cache = createCache({
      name: 'c',
      l1: { capacity: 10 },
      defaults: { ttl: 100, staleWhileRevalidate: 1000 },
    });
    await cache.getOrSet('k', () => 1);
    vi.setSystemTime(150);
    const d = deferred<number>();
    expect(await cache.getOrSet('k', () => d.promise)).toBe(1); // serves stale, refreshes in the background
    // This caller does not accept stale-while-revalidate, so it joins the refresh.
    const joined = cache.getOrSet('k', () => 2, { staleWhileRevalidate: 0 });
    const raw = new Error('db down');
    d.reject(raw);
    const error = await joined.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaderError);
    expect((error as LoaderError).cause).toBe(raw);
    expect(cache.stats().requests.errors).toBe(1);
  });
});

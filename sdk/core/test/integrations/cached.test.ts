import { describe, expect, it } from 'vitest';
import {
  type Cache,
  Cached,
  cached,
  cachedKey,
  createCache,
  InvalidatesCache,
  InvalidKeyError,
  invalidateAllCached,
  invalidateCached,
  LoaderError,
} from '../../src/index.js';

const newCache = () => createCache({ name: 'fn', l1: { capacity: 1000 } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cached(): a function cached per arguments', () => {
  it('loads once per distinct arguments; concurrent calls share one load', async () => {
    const cache = newCache();
    let loads = 0;
    const square = cached(
      cache,
      async (n: number) => {
        loads++;
        await sleep(20);
        return n * n;
      },
      { name: 'square' },
    );
    expect(await Promise.all([square(3), square(3), square(3), square(4)])).toEqual([9, 9, 9, 16]);
    expect(loads).toBe(2);
    expect(await square(3)).toBe(9);
    expect(loads).toBe(2);
    expect(square.keyFor(3)).toBe('square(3)');
  });

  it('keys are canonical: object key order does not matter; null, undefined, "1" and 1 differ', () => {
    const f = cached(newCache(), (..._args: unknown[]) => 1, { name: 'f' });
    expect(f.keyFor({ a: 1, b: [2, { d: 4, c: 3 }] })).toBe(f.keyFor({ b: [2, { c: 3, d: 4 }], a: 1 }));
    const keys = [f.keyFor(null), f.keyFor(undefined), f.keyFor('1'), f.keyFor(1), f.keyFor(1n), f.keyFor()];
    expect(new Set(keys).size).toBe(keys.length);
    expect(f.keyFor(new Date(0))).toBe('f(D1970-01-01T00:00:00.000Z)');
    expect(f.keyFor(new Set([2, 1]))).toBe(f.keyFor(new Set([1, 2])));
    expect(f.keyFor(new Map([['x', 1]]))).not.toBe(f.keyFor(new Map([['x', 2]])));
    expect(f.keyFor('x'.repeat(500))).toMatch(/^f#[A-Za-z0-9_-]{43}$/);
    expect(() => f.keyFor(() => 1)).toThrow(InvalidKeyError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => f.keyFor(circular)).toThrow(/circular/);
  });

  it('a custom key, per-function options (ttl), tags, invalidate(args) and invalidateAll()', async () => {
    const cache = newCache();
    let loads = 0;
    const user = cached(
      cache,
      async (id: number, _opts?: { fields: string[] }) => {
        loads++;
        return { id, v: loads };
      },
      { name: 'user', key: (id) => String(id), ttl: 60_000, tags: (id) => [`user:${id}`] },
    );
    expect(user.keyFor(1, { fields: ['a'] })).toBe('user:1');
    await user(1);
    await user(2);
    expect(loads).toBe(2);
    await user.invalidate(1);
    expect((await user(1)).v).toBe(3);
    expect((await user(2)).v).toBe(2);
    await cache.deleteByTag('user:2');
    expect((await user(2)).v).toBe(4);
    await user.invalidateAll();
    await user(1);
    await user(2);
    expect(loads).toBe(6);
    const short = cached(cache, async () => ++loads, { name: 'short', ttl: 30 });
    const first = await short();
    expect(await short()).toBe(first);
    await sleep(50);
    expect(await short()).toBe(first + 1);
  });

  it('a failing function is not cached and rejects with LoaderError carrying the cause', async () => {
    let calls = 0;
    const flaky = cached(
      newCache(),
      async () => {
        calls++;
        if (calls === 1) throw new Error('db down');
        return 'ok';
      },
      { name: 'flaky' },
    );
    const err = await flaky().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).cause).toEqual(new Error('db down'));
    expect(await flaky()).toBe('ok');
  });
});

class Users {
  loads = 0;
  constructor(readonly cache: Cache) {}

  @Cached({ cache: (self: Users) => self.cache, tags: (id: number) => [`user:${id}`] })
  async get(id: number): Promise<{ id: number; load: number }> {
    this.loads++;
    return { id, load: this.loads };
  }

  @Cached({ cache: (self: Users) => self.cache, name: 'users.search', ttl: 30 })
  async search(q: { name: string; limit?: number }): Promise<number> {
    this.loads++;
    return q.name.length;
  }

  @InvalidatesCache({ cache: (self: Users) => self.cache, tags: (id: number) => [`user:${id}`] })
  async rename(id: number, _name: string): Promise<string> {
    return `renamed ${id}`;
  }
}

class Admins extends Users {}

describe('TC39 decorators: @Cached, @InvalidatesCache, invalidateCached', () => {
  it('@Cached caches per arguments under ClassName.method, with options per method', async () => {
    const users = new Users(newCache());
    expect(await users.get(1)).toEqual({ id: 1, load: 1 });
    expect(await users.get(1)).toEqual({ id: 1, load: 1 });
    expect(await users.get(2)).toEqual({ id: 2, load: 2 });
    expect(cachedKey(users, 'get', 7)).toBe('Users.get(7)');
    // subclasses use the defining class's name
    expect(cachedKey(new Admins(users.cache), 'get', 7)).toBe('Users.get(7)');
    expect(cachedKey(users, 'search', { limit: 5, name: 'a' })).toBe('users.search({"limit":5,"name":"a"})');
    await users.search({ name: 'ada' });
    await users.search({ name: 'ada' });
    expect(users.loads).toBe(3);
    await sleep(50); // search has ttl 30 ms
    await users.search({ name: 'ada' });
    expect(users.loads).toBe(4);
  });

  it('@InvalidatesCache invalidates by tag after the method succeeds; invalidateCached removes one call', async () => {
    const users = new Users(newCache());
    await users.get(1);
    await users.get(2);
    expect(await users.rename(1, 'Ada')).toBe('renamed 1');
    expect((await users.get(1)).load).toBe(3);
    expect((await users.get(2)).load).toBe(2);
    await invalidateCached(users, 'get', 2);
    expect((await users.get(2)).load).toBe(4);
    await invalidateAllCached(users, 'get');
    expect((await users.get(1)).load).toBe(5);
    expect(() => cachedKey(users, 'rename', 1, 'x')).toThrow(/not a @Cached method/);
  });

  it('instances with different caches keep separate entries', async () => {
    const a = new Users(newCache());
    const b = new Users(newCache());
    await a.get(1);
    await b.get(1);
    expect([a.loads, b.loads]).toEqual([1, 1]);
  });
});

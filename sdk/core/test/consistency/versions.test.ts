import { describe, expect, it } from 'vitest';
import { CONSISTENCY } from '../../src/cache/consistency.js';
import { KeyVersions } from '../../src/cache/versions.js';
import { createCache } from '../../src/index.js';
import { deferred, tick } from '../helpers/fake-tier.js';

describe('KeyVersions', () => {
  it('a ticket stays current until the key is written, removed or invalidated', () => {
    const v = new KeyVersions();
    const t = v.begin('c::k');
    expect(v.current(t, undefined)).toBe(true);
    v.bumpKey('c::other');
    v.invalidateTag('c::unrelated');
    v.invalidatePrefix('d:');
    expect(v.current(t, ['c::t'])).toBe(true);
    v.invalidateTag('c::t');
    expect(v.current(t, ['c::t'])).toBe(false);
    expect(v.current(t, undefined)).toBe(true); // a value without that tag is not affected
    v.invalidatePrefix('c:');
    expect(v.current(t, undefined)).toBe(false);
    const t2 = v.begin('c::k');
    v.bumpKey('c::k');
    expect(v.current(t2, undefined)).toBe(false);
  });

  it('landing keeps the lander current and makes every older ticket of the key stale', () => {
    const v = new KeyVersions();
    const a = v.begin('k');
    const b = v.begin('k');
    v.landed(a);
    expect(v.current(a, undefined)).toBe(true);
    expect(v.current(b, undefined)).toBe(false);
  });

  it('is bounded: a key has a generation only while a ticket is open; the log keeps the last 1024', () => {
    const v = new KeyVersions();
    const tickets = Array.from({ length: 100 }, (_, i) => v.begin(`k${i % 10}`));
    expect(v.tracked).toBe(10);
    for (const t of tickets) v.end(t);
    for (const t of tickets) v.end(t); // idempotent
    expect(v.tracked).toBe(0);
    v.bumpKey('k1'); // nobody in flight: nothing to remember
    expect(v.tracked).toBe(0);

    const old = v.begin('x');
    for (let i = 0; i < 1024; i++) v.invalidateTag(`t${i}`);
    expect(v.current(old, undefined)).toBe(true); // 1024 unrelated entries still fit in the log
    v.invalidateTag('one-more');
    // Older than the log: treated as invalidated (conservative), so it does not land.
    expect(v.current(old, undefined)).toBe(false);
  });

  it('nothing covered by an invalidation lands while it runs, nor later if its ticket predates the end', () => {
    const v = new KeyVersions();
    const p = v.beginInvalidation('prefix', 'c:ns:');
    const during = v.begin('c:ns::k');
    expect(v.current(during, undefined)).toBe(false);
    const elsewhere = v.begin('c::k');
    expect(v.current(elsewhere, undefined)).toBe(true);
    v.endInvalidation(p);
    expect(v.current(during, undefined)).toBe(false);
    expect(v.current(v.begin('c:ns::k'), undefined)).toBe(true);
    const tag = v.beginInvalidation('tag', 'c::t');
    const tagged = v.begin('c::k2');
    expect(v.current(tagged, ['c::t'])).toBe(false);
    v.endInvalidation(tag);
    expect(v.current(v.begin('c::k2'), ['c::t'])).toBe(true);
  });

  it('stamps are increasing, past every observed version, and shared by every cache in the process', () => {
    const a = new KeyVersions();
    const b = new KeyVersions();
    const s1 = a.stamp();
    const s2 = b.stamp();
    expect(s2).toBeGreaterThan(s1);
    expect(s1).toBeGreaterThanOrEqual((Date.now() - 1000) * 1024);
    b.observe(s2 + 1_000_000);
    expect(a.stamp()).toBeGreaterThan(s2 + 1_000_000);
    a.observe(Number.NaN);
    expect(Number.isSafeInteger(a.stamp())).toBe(true);
  });
});

describe('the CONSISTENCY attachment (for the invalidation layer)', () => {
  it('invalidateKey drops the L1 value and stops an in-flight load of the key from landing', async () => {
    const cache = createCache({ name: 'app', l1: { capacity: 10 } });
    const ns = cache.namespace('users');
    const c = cache[CONSISTENCY]();
    await cache.set('k', 'root');
    await ns.set('k', 'ns');
    expect(c.l1Version('app::k')).toBeGreaterThan(0);
    expect(c.invalidateKey('app:users::k')).toBe(1);
    expect(await ns.get('k')).toBeUndefined();
    expect(await cache.get('k')).toBe('root');

    const d = deferred<string>();
    const loading = cache.getOrSet('slow', () => d.promise);
    await tick();
    c.invalidateKey('app::slow');
    d.resolve('from-before');
    expect(await loading).toBe('from-before');
    expect(await cache.get('slow')).toBeUndefined();
    expect(c.invalidateKey('other-cache::k')).toBe(0);
  });

  it('invalidateKey with a version keeps an L1 value written after it', async () => {
    const cache = createCache({ name: 'app', l1: { capacity: 10 } });
    const c = cache[CONSISTENCY]();
    const before = c.stamp();
    await cache.set('k', 'newer');
    expect(c.invalidateKey('app::k', before)).toBe(0);
    expect(await cache.get('k')).toBe('newer');
    expect(c.invalidateKey('app::k', c.stamp())).toBe(1);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('invalidateTag and invalidatePrefix act on L1 of this process only', async () => {
    const cache = createCache({ name: 'app', l1: { capacity: 10 } });
    const ns = cache.namespace('a');
    const c = cache[CONSISTENCY]();
    await cache.set('x', 1, { tags: ['t'] });
    await cache.set('y', 2);
    await ns.set('x', 3);
    await ns.namespace('b').set('x', 4);
    expect(c.invalidateTag('app::t')).toBe(1);
    expect(await cache.get('x')).toBeUndefined();
    expect(c.invalidatePrefix('app:a:')).toBe(2);
    expect(await ns.get('x')).toBeUndefined();
    expect(await cache.get('y')).toBe(2);
    expect(c.invalidatePrefix('app:')).toBe(1);
    expect(await cache.get('y')).toBeUndefined();
  });
});

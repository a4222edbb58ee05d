import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CacheEvent, CircuitBreaker, Codec, createCache, DIAGNOSTICS_CHANNEL } from '../src/index.js';
import { FakeTier, tick } from './helpers/fake-tier.js';

afterEach(() => vi.useRealTimers());

const setup = () => {
  const l2 = new FakeTier('redis');
  const l3 = new FakeTier('fs');
  const events: CacheEvent[] = [];
  const mk = () => {
    const cache = createCache({ name: 'app', l1: { capacity: 10 }, l2, l3, defaults: { ttl: 10_000 } });
    cache.events.onAny((e) => events.push(e));
    return cache;
  };
  return { l2, l3, events, mk };
};

describe('tier movements', () => {
  it('a hit in L3 fills L2 and L1 (one promote event per movement) and keeps freshness', async () => {
    const { l2, l3, events, mk } = setup();
    const writer = mk();
    await writer.set('k', { v: 1 }, { ttl: 5000, tags: ['t'] });
    l2.data.clear();
    const reader = mk();
    events.length = 0;
    expect(await reader.get('k')).toEqual({ v: 1 });
    await tick(5);
    const promotes = events.filter((e) => e.type === 'promote');
    expect(promotes).toEqual([
      { type: 'promote', cache: 'app', from: 'l3', to: 'l1', key: 'app::k' },
      { type: 'promote', cache: 'app', from: 'l3', to: 'l2', key: 'app::k' },
    ]);
    expect(l2.data.has('app::k')).toBe(true);
    expect(l2.data.get('app::k')!.tags).toEqual(['app::t']);
    const rec = new Codec().decode(l2.data.get('app::k')!.value);
    expect(rec.freshUntil - Date.now()).toBeLessThanOrEqual(5000);
    const s = reader.stats();
    expect(s.movements.find((m) => m.from === 'l3' && m.to === 'l2')!.count).toBe(1);
    expect(s.tiers.l3).toMatchObject({ hits: 1, kind: 'fs' });
    expect(s.tiers.l2).toMatchObject({ misses: 1, kind: 'redis' });
    // now L1 serves it without touching remotes
    l3.calls.length = 0;
    expect(await reader.getOrSet('k', () => ({ v: 2 }))).toEqual({ v: 1 });
    expect(l3.calls).toEqual([]);
    // the promoted tags still work
    expect(await reader.deleteByTag('t')).toBeGreaterThanOrEqual(1);
    expect(await reader.get('k')).toBeUndefined();
  });

  it('getMany promotes from L2 with one batch per tier', async () => {
    const { l2, mk } = setup();
    await mk().setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    const reader = mk();
    l2.calls.length = 0;
    expect(await reader.getMany(['a', 'b', 'c'])).toEqual([1, 2, undefined]);
    expect(l2.calls).toEqual(['getMany']);
    expect(reader.stats().movements.find((m) => m.from === 'l2' && m.to === 'l1')!.count).toBe(2);
  });

  it('demoteOnEvict writes L1 capacity evictions down to L2', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'd', l1: { capacity: 1, policy: 'lru', demoteOnEvict: true }, l2 });
    const demotes: CacheEvent[] = [];
    cache.events.on('demote', (e) => demotes.push(e));
    await cache.set('a', 1);
    l2.data.clear();
    await cache.set('b', 2);
    await tick(5);
    expect(demotes).toEqual([{ type: 'demote', cache: 'd', from: 'l1', to: 'l2', key: 'd::a' }]);
    expect(l2.data.has('d::a')).toBe(true);
    expect(cache.stats().movements.find((m) => m.kind === 'demotion')!.count).toBe(1);
  });

  it('undecodable bytes in a tier are a miss plus a decode-error, never a wrong value', async () => {
    const { l2, l3, events, mk } = setup();
    const cache = mk();
    await l2.set('app::k', Buffer.from('garbage'), { ttlMs: 10_000 });
    await l3.set('app::k', new Uint8Array([0x4f, 0x43, 1, 0, 0xc1]), { ttlMs: 10_000 });
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getOrSet('k', () => 'loaded')).toBe('loaded');
    const decodeErrors = events.filter((e) => e.type === 'decode-error');
    expect(decodeErrors.length).toBeGreaterThanOrEqual(2);
    expect(cache.stats().tiers.l2!.decodeErrors).toBeGreaterThanOrEqual(1);
    expect(cache.stats().tiers.l3!.decodeErrors).toBeGreaterThanOrEqual(1);
  });

  it('remote stale values: grace uses the newest stale copy across tiers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const l2 = new FakeTier();
    const mk = () =>
      createCache({ name: 'g', l1: { capacity: 10 }, l2, defaults: { ttl: 100, grace: 10_000 } });
    await mk().set('k', 'old');
    vi.setSystemTime(500);
    const fresh = mk();
    expect(
      await fresh.getOrSet('k', () => {
        throw new Error('down');
      }),
    ).toBe('old');
    expect(fresh.stats().tiers.l2!.staleHits).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('transitions closed -> open -> half-open -> closed / re-open', () => {
    let now = 0;
    const changes: string[] = [];
    const b = new CircuitBreaker(
      { failureThreshold: 3, windowMs: 1000, openMs: 500 },
      (from, to) => changes.push(`${from}->${to}`),
      () => now,
    );
    b.failure();
    b.failure();
    now = 2000; // window slid: old failures forgotten
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    now += 500;
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(false);
    b.failure();
    expect(b.state).toBe('open');
    now += 500;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(changes).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->closed',
    ]);
    expect(b.opens).toBe(2);
  });

  it('a failing L2 opens its circuit; the cache keeps serving from L1 and the loader without errors; probes close it', async () => {
    const l2 = new FakeTier();
    const cache = createCache({
      name: 'cb',
      l1: { capacity: 100 },
      l2: { tier: l2, circuitBreaker: { failureThreshold: 2, windowMs: 10_000, openMs: 50 } },
    });
    const circuit: CacheEvent[] = [];
    cache.events.on('circuit', (e) => circuit.push(e));
    l2.failWith = new Error('ECONNREFUSED');
    expect(await cache.getOrSet('a', () => 1)).toBe(1);
    expect(await cache.getOrSet('b', () => 2)).toBe(2);
    expect(cache.stats().tiers.l2!.circuit.state).toBe('open');
    l2.calls.length = 0;
    expect(await cache.getOrSet('c', () => 3)).toBe(3);
    await cache.set('d', 4);
    expect(await cache.get('d')).toBe(4);
    expect(l2.calls).toEqual([]);
    expect(cache.stats().tiers.l2!.skipped).toBeGreaterThan(0);
    l2.failWith = undefined;
    await tick(60);
    expect(await cache.getOrSet('e', () => 5)).toBe(5);
    expect(cache.stats().tiers.l2!.circuit.state).toBe('closed');
    expect(circuit.map((e) => e.type === 'circuit' && `${e.from}->${e.to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ]);
    expect(l2.data.has('cb::e')).toBe(true);
  });

  it('slow tiers time out and count as failures', async () => {
    const l2 = new FakeTier();
    l2.delayMs = 200;
    const cache = createCache({ name: 'slow', l1: { capacity: 10 }, l2: { tier: l2, timeoutMs: 20 } });
    const errors: CacheEvent[] = [];
    cache.events.on('error', (e) => errors.push(e));
    const t0 = Date.now();
    expect(await cache.getOrSet('k', () => 'v')).toBe('v');
    expect(Date.now() - t0).toBeLessThan(150);
    expect(cache.stats().tiers.l2!.timeouts).toBe(2);
    expect(errors.map((e) => e.type === 'error' && e.operation)).toEqual(['get', 'set']);
  });
});

describe('events', () => {
  it('build no event objects when nobody listens, and mirror to diagnostics_channel when subscribed', async () => {
    const cache = createCache({ name: 'ev', l1: { capacity: 10 } });
    expect(cache.events.active.hit).toBe(false);
    const off = cache.events.on('hit', () => undefined);
    expect(cache.events.active.hit).toBe(true);
    expect(cache.events.active.miss).toBe(false);
    off();
    expect(cache.events.active.hit).toBe(false);
    const seen: unknown[] = [];
    const sub = (m: unknown) => seen.push(m);
    diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNEL, sub);
    try {
      await cache.set('k', 1);
      await cache.get('k');
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNEL, sub);
    }
    expect(seen).toEqual([
      { type: 'set', cache: 'ev', tier: 'l1', key: 'ev::k', ttlMs: 60_000 },
      { type: 'hit', cache: 'ev', tier: 'l1', key: 'ev::k' },
    ]);
    expect(() => cache.events.on('nope' as 'hit', () => undefined)).toThrow(/valid types/);
  });

  it('a throwing listener does not break the cache', async () => {
    const cache = createCache({ name: 'ev', l1: { capacity: 10 } });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    cache.events.on('set', () => {
      throw new Error('listener bug');
    });
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('an L1 hit allocates no event and calls no listener when nobody listens', async () => {
    const cache = createCache({ name: 'hot', l1: { capacity: 10 } });
    await cache.set('k', 1);
    const emit = vi.spyOn(cache.events, 'emit');
    for (let i = 0; i < 1000; i++) await cache.get('k');
    expect(emit).not.toHaveBeenCalled();
    expect(cache.stats().tiers.l1.hits).toBe(1000);
  });
});

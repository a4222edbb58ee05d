import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { ATTR, METRICS } from '../../src/telemetry/conventions.js';
import { instrument } from '../../src/telemetry/instrument.js';
import { fsTier } from '../../src/tiers/fs/index.js';
import { FakeTier } from '../helpers/fake-tier.js';
import { collect, point, TestReader } from '../helpers/metric-reader.js';

const setup = () => {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const l2 = new FakeTier('redis');
  const cache = createCache({
    name: 'shop',
    l1: { capacity: 4, policy: 'arc' },
    l2,
    defaults: { ttl: 60_000 },
  });
  const inst = instrument(cache, { meterProvider, tracerProvider: false });
  return { reader, cache, l2, inst };
};

describe('instrument(cache)', () => {
  it('reads the cache counters at collection time under the convention names', async () => {
    const { reader, cache } = setup();
    await cache.set('a', 1);
    expect(await cache.get('a')).toBe(1); // l1 hit
    expect(await cache.get('nope')).toBeUndefined(); // l1 miss, l2 miss
    for (const k of ['b', 'c', 'd', 'e', 'f', 'g']) await cache.getOrSet(k, async () => k);
    const stats = cache.stats();
    const got = await collect(reader);
    const requests = got.get(METRICS.requests.name);
    expect(point(requests, { [ATTR.cache]: 'shop', [ATTR.tier]: 'l1', [ATTR.result]: 'hit' })).toBe(
      stats.tiers.l1.hits,
    );
    expect(point(requests, { [ATTR.tier]: 'l1', [ATTR.result]: 'miss' })).toBe(stats.tiers.l1.misses);
    expect(point(requests, { [ATTR.tier]: 'l2', [ATTR.result]: 'miss' })).toBe(stats.tiers.l2?.misses);
    expect(point(got.get(METRICS.loaderCalls.name), { [ATTR.outcome]: 'success' })).toBe(6);
    expect(point(got.get(METRICS.evictions.name), { [ATTR.evictionReason]: 'capacity' })).toBe(
      stats.tiers.l1.evictions.capacity,
    );
    expect(stats.tiers.l1.evictions.capacity).toBeGreaterThan(0);
    expect(point(got.get(METRICS.arcCapacity.name), {})).toBe(4);
    expect(point(got.get(METRICS.arcListSize.name), { [ATTR.arcList]: 't1' })).toBeTypeOf('number');
    expect(
      point(got.get(METRICS.circuitState.name), { [ATTR.tier]: 'l2', [ATTR.circuitState]: 'closed' }),
    ).toBe(1);
    expect(
      point(got.get(METRICS.circuitState.name), { [ATTR.tier]: 'l2', [ATTR.circuitState]: 'open' }),
    ).toBe(0);
    // loader latency histogram from load events
    const hist = got.get(METRICS.loaderDuration.name);
    const hp = hist?.dataPoints.find((d) => d.attributes[ATTR.outcome] === 'success');
    expect((hp?.value as { count: number } | undefined)?.count).toBe(6);
    // counters are monotonic and no point carries a key
    for (const m of got.values()) {
      for (const d of m.dataPoints) for (const k of Object.keys(d.attributes)) expect(k).not.toMatch(/key/);
    }
  });

  it('adds nothing to the l1 hit path and stops cleanly', async () => {
    const { reader, cache, inst } = setup();
    expect(cache.events.active.hit).toBe(false);
    expect(cache.events.active.miss).toBe(false);
    expect(cache.events.active.load).toBe(true);
    inst.stop();
    inst.stop();
    expect(cache.events.active.load).toBe(false);
    await cache.getOrSet('x', async () => 1);
    const got = await collect(reader);
    expect(got.get(METRICS.requests.name)?.dataPoints ?? []).toEqual([]);
  });

  it('records remote tier latency by operation and outcome (snake_case operations)', async () => {
    const { reader, cache, l2 } = setup();
    await cache.getOrSet('a', async () => 1); // l2 get (miss) + l2 set
    await cache.getMany(['x', 'y']); // l2 get_many
    l2.failWith = new Error('down');
    await cache.getOrSet('b', async () => 2); // l2 get fails (absorbed), l2 set fails
    const got = await collect(reader);
    const hist = got.get(METRICS.tierOperationDuration.name);
    const count = (op: string, outcome: string) =>
      (
        hist?.dataPoints.find(
          (d) => d.attributes[ATTR.operation] === op && d.attributes[ATTR.outcome] === outcome,
        )?.value as { count: number } | undefined
      )?.count;
    expect(count('get', 'success')).toBeGreaterThanOrEqual(1);
    expect(count('get_many', 'success')).toBe(1);
    expect(count('get', 'error')).toBe(1);
    for (const d of hist?.dataPoints ?? []) {
      expect(d.attributes[ATTR.tier]).toBe('l2');
      expect(d.attributes[ATTR.cache]).toBe('shop');
    }
  });

  it('reports entries and bytes of an fs L3 once the tier has counted them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-usage-'));
    try {
      const cache = createCache({ name: 'files', l1: { capacity: 10 }, l3: fsTier(dir) });
      for (let i = 0; i < 5; i++) await cache.set(`k${i}`, { i });
      const reader = new TestReader();
      const inst = instrument(cache, { meterProvider: new MeterProvider({ readers: [reader] }) });
      for (let i = 0; i < 50 && cache.stats().tiers.l3?.usage === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(cache.stats().tiers.l3?.usage?.entries).toBe(5);
      const got = await collect(reader);
      const entries = got.get(METRICS.tierEntries.name)?.dataPoints ?? [];
      const l3 = entries.find((p) => p.attributes[ATTR.tier] === 'l3');
      expect(l3?.value).toBe(5);
      const size = got.get(METRICS.tierSize.name)?.dataPoints.find((p) => p.attributes[ATTR.tier] === 'l3');
      expect(size?.value).toBeGreaterThan(0);
      inst.stop();
      await cache.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

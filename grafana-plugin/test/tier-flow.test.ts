import { describe, expect, it } from 'vitest';
import { framesToSeries } from '../src/transforms/samples.js';
import { SERIES } from '../src/transforms/series-names.js';
import { flowModel } from '../src/transforms/tier-flow.js';
import { at, seriesFrame, times } from './frames.js';

const T = times(5); // 60 s
const c = { omnicache_cache_name: 'users' };
const counter = (name: string, labels: Record<string, string>, values: number[]) =>
  seriesFrame(name, { ...c, ...labels }, T, values);
const req = (tier: string, result: string, values: number[]) =>
  counter(SERIES.requests, { omnicache_tier: tier, omnicache_result: result }, values);
const zero = [0, 0, 0, 0, 0];

function frames() {
  return [
    req('l1', 'hit', [0, 100, 200, 300, 400]),
    req('l1', 'miss', [0, 30, 60, 90, 120]),
    req('l1', 'stale', zero),
    req('l1', 'error', zero),
    req('l2', 'hit', [0, 20, 40, 60, 80]),
    req('l2', 'miss', [0, 10, 20, 30, 40]),
    req('l2', 'stale', zero),
    req('l2', 'error', [0, 0, 0, 0, 6]),
    counter(
      SERIES.tierMovements,
      { omnicache_movement_from: 'l2', omnicache_movement_to: 'l1' },
      [0, 20, 40, 60, 80],
    ),
    counter(
      SERIES.tierMovements,
      { omnicache_movement_from: 'l1', omnicache_movement_to: 'l2' },
      [0, 5, 10, 15, 20],
    ),
    counter(
      SERIES.evictions,
      { omnicache_tier: 'l1', omnicache_eviction_reason: 'capacity' },
      [0, 5, 10, 15, 20],
    ),
    counter(
      SERIES.evictions,
      { omnicache_tier: 'l1', omnicache_eviction_reason: 'expired' },
      [0, 0, 1, 1, 2],
    ),
    counter(SERIES.loaderCalls, { omnicache_outcome: 'success' }, [0, 10, 20, 30, 44]),
    counter(SERIES.loaderCalls, { omnicache_outcome: 'error' }, [0, 0, 0, 0, 2]),
  ];
}

describe('flowModel', () => {
  it('totals and rates over the range for every edge of L1 -> L2 -> loader', () => {
    const m = flowModel(framesToSeries(frames()));
    expect(m.missing).toEqual([]);
    expect(m.rangeSeconds).toBe(60);
    expect(m.tiers.map((t) => t.tier)).toEqual(['l1', 'l2']);
    const l1 = m.tiers[0]!;
    expect(l1.lookups).toEqual({ total: 520, rate: 520 / 60 });
    expect(l1.results.hit.total).toBe(400);
    expect(l1.evictions.capacity.total).toBe(20);
    expect(l1.evictions.expired.total).toBe(2);
    expect(m.loader.success.total).toBe(44);
    const edges = Object.fromEntries(m.edges.map((e) => [`${e.kind}:${e.from}->${e.to}`, e.total]));
    expect(edges).toEqual({
      'lookup:requests->l1': 520,
      'miss:l1->l2': 120,
      'load:l2->loader': 46,
      'demotion:l1->l2': 20,
      'promotion:l2->l1': 80,
    });
  });
  it('uses the selected range for the totals and the rates', () => {
    const m = flowModel(framesToSeries(frames()), { from: at(1), to: at(3) });
    expect(m.rangeSeconds).toBe(30);
    expect(m.tiers[0]!.results.hit).toEqual({ total: 200, rate: 200 / 30 });
  });
  it('names the missing counters (e.g. an SDK without movement metrics)', () => {
    const m = flowModel(
      framesToSeries(frames().filter((f) => f.fields[1]!.labels!.__name__ !== SERIES.tierMovements)),
    );
    expect(m.missing).toEqual([SERIES.tierMovements]);
  });
  it('with only an L1 the misses go to the loader (and no movement to tiers it does not have)', () => {
    const m = flowModel(
      framesToSeries([
        req('l1', 'hit', [0, 1, 2, 3, 4]),
        req('l1', 'miss', [0, 1, 1, 1, 1]),
        // the SDK reports every movement pair, zero for the tiers a cache does not have
        counter(SERIES.tierMovements, { omnicache_movement_from: 'l1', omnicache_movement_to: 'l2' }, zero),
        counter(SERIES.tierMovements, { omnicache_movement_from: 'l2', omnicache_movement_to: 'l1' }, zero),
      ]),
    );
    expect(m.edges.map((e) => [e.kind, e.to, e.total])).toEqual([
      ['lookup', 'l1', 5],
      ['load', 'loader', 1],
    ]);
  });

  it('prefetch is a source of L1 entries: an edge prefetch -> l1 sized by the loads issued, used and wasted', () => {
    const prefetch = [
      counter(SERIES.prefetchHints, {}, [0, 40, 80, 120, 160]),
      counter(SERIES.prefetchIssued, {}, [0, 15, 30, 45, 60]),
      counter(SERIES.prefetchResults, { omnicache_prefetch_result: 'used' }, [0, 10, 22, 35, 48]),
      counter(SERIES.prefetchResults, { omnicache_prefetch_result: 'wasted' }, [0, 2, 4, 6, 8]),
      counter(SERIES.prefetchDropped, { omnicache_prefetch_drop_reason: 'rate_limit' }, [0, 1, 2, 3, 7]),
      counter(SERIES.prefetchDropped, { omnicache_prefetch_drop_reason: 'present' }, [0, 20, 40, 60, 80]),
      // another cache's prefetch counters do not count
      seriesFrame(SERIES.prefetchIssued, { omnicache_cache_name: 'other' }, T, [0, 500, 900, 1000, 2000]),
    ];
    const m = flowModel(framesToSeries([...frames(), ...prefetch]), { cache: 'users' });
    expect(m.missing).toEqual([]);
    const p = m.prefetch!;
    expect(p.hints).toEqual({ total: 160, rate: 160 / 60 });
    expect(p.issued).toEqual({ total: 60, rate: 1 });
    expect(p.used.total).toBe(48);
    expect(p.wasted.total).toBe(8);
    expect(p.precision).toBeCloseTo(48 / 56);
    expect(p.dropped.rate_limit.total).toBe(7);
    expect(p.dropped.present.total).toBe(80);
    expect(p.dropped.error.total).toBe(0);
    const edge = m.edges.find((e) => e.kind === 'prefetch');
    expect(edge).toEqual({ from: 'prefetch', to: 'l1', kind: 'prefetch', total: 60, rate: 1 });
  });
  it('without prefetch counters (no prefetch option) there is no prefetch source', () => {
    const m = flowModel(framesToSeries(frames()));
    expect(m.prefetch).toBeUndefined();
    expect(m.edges.some((e) => e.from === 'prefetch')).toBe(false);
  });
});

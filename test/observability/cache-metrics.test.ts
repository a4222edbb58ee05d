// A workload through an instrumented cache, exported over OTLP to the real collector, remote-written into the real
// Prometheus: after a flush, every counter equals the cache's own count exactly, and the ARC gauges are present and
// move when the workload shifts from recency to frequency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheStats } from '../../sdk/core/src/cache/stats.js';
import type { Cache } from '../../sdk/core/src/cache.js';
import { createCache } from '../../sdk/core/src/index.js';
import { type CacheInstrumentation, instrument } from '../../sdk/core/src/telemetry/instrument.js';
import { eventually, type Pipeline, startPipeline } from './pipeline.js';

const CACHE = 'e2e-counts';

/** PromQL selector -> the value the cache's own stats say it must have. */
function expectations(s: CacheStats): Record<string, number> {
  const l1 = s.tiers.l1;
  const p = l1.policy as CacheStats['tiers']['l1']['policy'] & {
    p: number;
    t1: number;
    t2: number;
    b1: number;
    b2: number;
    ghostHitsB1: number;
    ghostHitsB2: number;
  };
  const c = `omnicache_cache_name="${CACHE}"`;
  return {
    [`omnicache_requests_total{${c},omnicache_tier="l1",omnicache_result="hit"}`]: l1.hits,
    [`omnicache_requests_total{${c},omnicache_tier="l1",omnicache_result="miss"}`]: l1.misses,
    [`omnicache_loader_calls_total{${c},omnicache_outcome="success"}`]: s.loader.success,
    [`omnicache_loader_duration_seconds_count{${c},omnicache_outcome="success"}`]: s.loader.success,
    [`omnicache_evictions_total{${c},omnicache_tier="l1",omnicache_eviction_reason="capacity"}`]:
      l1.evictions.capacity,
    [`omnicache_tier_entries{${c},omnicache_tier="l1"}`]: l1.entries,
    [`omnicache_arc_capacity{${c}}`]: p.capacity,
    [`omnicache_arc_target{${c}}`]: p.p,
    [`omnicache_arc_list_size{${c},omnicache_arc_list="t1"}`]: p.t1,
    [`omnicache_arc_list_size{${c},omnicache_arc_list="t2"}`]: p.t2,
    [`omnicache_arc_list_size{${c},omnicache_arc_list="b1"}`]: p.b1,
    [`omnicache_arc_list_size{${c},omnicache_arc_list="b2"}`]: p.b2,
    [`omnicache_arc_ghost_hits_total{${c},omnicache_arc_list="b1"}`]: p.ghostHitsB1,
    [`omnicache_arc_ghost_hits_total{${c},omnicache_arc_list="b2"}`]: p.ghostHitsB2,
  };
}

async function prometheusMatches(
  p: Pipeline,
  expected: Record<string, number>,
): Promise<Record<string, number>> {
  let last: Record<string, number | undefined> = {};
  try {
    return await eventually(
      'Prometheus to hold the cache counts',
      async () => {
        await p.meterProvider.forceFlush();
        const got: Record<string, number | undefined> = {};
        for (const selector of Object.keys(expected)) {
          const r = await p.query(selector);
          got[selector] = r.length === 1 && r[0] ? Number(r[0].value[1]) : undefined;
        }
        last = got;
        return Object.entries(expected).every(([k, v]) => got[k] === v)
          ? (got as Record<string, number>)
          : undefined;
      },
      30_000,
    );
  } catch (err) {
    expect(last, String(err)).toEqual(expected);
    throw err;
  }
}

describe('instrumented cache -> OTLP -> collector -> Prometheus', () => {
  let p: Pipeline;
  let cache: Cache;
  let inst: CacheInstrumentation;

  beforeAll(async () => {
    p = await startPipeline({ serviceName: 'omnicache-e2e-counts' });
    cache = createCache({ name: CACHE, l1: { capacity: 50, policy: 'arc' }, defaults: { ttl: 600_000 } });
    inst = instrument(cache, { meterProvider: p.meterProvider });
  });
  afterAll(async () => {
    inst?.stop();
    await p?.stop();
  });

  it('counts exactly; ARC gauges move (T2 grows under frequency, p rises on B1 ghost hits)', async () => {
    // recency: a loop over 70 keys through a 50-entry cache (ghost hits in B1 push p up)
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 70; k++) await cache.getOrSet(`r${k}`, async () => k);
    }
    const s1 = cache.stats();
    const e1 = expectations(s1);
    await prometheusMatches(p, e1);

    // frequency: a hot set of 20 keys read over and over, with one-off keys streaming past
    for (let i = 0; i < 2000; i++) {
      await cache.getOrSet(`h${i % 20}`, async () => i);
      if (i % 2 === 0) await cache.getOrSet(`o${i}`, async () => i);
    }
    const s2 = cache.stats();
    const e2 = expectations(s2);
    await prometheusMatches(p, e2);

    const key = (what: string) => `omnicache_${what}{omnicache_cache_name="${CACHE}"}`;
    const t2 = `omnicache_arc_list_size{omnicache_cache_name="${CACHE}",omnicache_arc_list="t2"}`;
    expect(e2[t2]).toBeGreaterThan(e1[t2] ?? 0);

    // recency again: the one-off keys just pushed out (now ghosts in B1) come back -> B1 ghost hits raise p
    for (let i = 1998; i >= 1900; i -= 2) await cache.getOrSet(`o${i}`, async () => i);
    const e3 = expectations(cache.stats());
    await prometheusMatches(p, e3);
    const ghostB1 = `omnicache_arc_ghost_hits_total{omnicache_cache_name="${CACHE}",omnicache_arc_list="b1"}`;
    expect(e3[ghostB1]).toBeGreaterThan(e2[ghostB1] ?? 0);
    expect(e3[key('arc_target')]).toBeGreaterThan(e2[key('arc_target')] ?? 0);
  });
});

/**
 * What the stats view shows, computed from two scrapes: ratios and rates over the interval between them (or
 * since start when there is no earlier scrape, or the counters were reset by a restart of the target).
 */
import type { CacheSnapshot, Histogram } from './snapshot.js';

export interface TierRow {
  tier: string;
  lookups: number;
  hitRatio: number | undefined;
  stale: number;
  errors: number;
  entries: number | undefined;
  bytes: number | undefined;
  circuit: string | undefined;
}

export interface CacheView {
  cache: string;
  /** Seconds the ratios and rates cover; undefined: cumulative since the target started. */
  windowSeconds: number | undefined;
  /** Hits in any tier / l1 lookups. */
  hitRatio: number | undefined;
  requestsPerSecond: number | undefined;
  tiers: TierRow[];
  arc: CacheSnapshot['arc'];
  movements: { path: string; count: number; perSecond: number | undefined }[];
  evictions: { reason: string; count: number; perSecond: number | undefined }[];
  stale: { reason: string; count: number }[];
  loader: {
    calls: Record<string, number>;
    coalesced: number;
    p50: number | undefined;
    p95: number | undefined;
    p99: number | undefined;
  };
  http: { route: string; result: string; count: number; perSecond: number | undefined }[];
}

const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

/** Prometheus histogram_quantile: linear interpolation inside the bucket that holds the rank. */
export function quantile(q: number, h: Histogram | undefined): number | undefined {
  if (h === undefined || h.buckets.length === 0) return undefined;
  const total = h.buckets[h.buckets.length - 1]![1];
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of h.buckets) {
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return prevBound;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? bound : prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

function minus(a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) out[k] = v - (b?.[k] ?? 0);
  return out;
}

function histMinus(a: Histogram | undefined, b: Histogram | undefined): Histogram | undefined {
  if (a === undefined || b === undefined) return a;
  return {
    buckets: a.buckets.map(([bound, c]) => [bound, c - (b.buckets.find(([x]) => x === bound)?.[1] ?? 0)]),
    count: a.count - b.count,
    sum: a.sum - b.sum,
  };
}

/** True when any counter went down: the target restarted, and deltas would be wrong. */
function wasReset(cur: CacheSnapshot, prev: CacheSnapshot): boolean {
  for (const [tier, results] of Object.entries(prev.requests)) {
    for (const [r, v] of Object.entries(results)) if ((cur.requests[tier]?.[r] ?? 0) < v) return true;
  }
  return sum(cur.loaderCalls) < sum(prev.loaderCalls);
}

export function deriveView(cur: CacheSnapshot, prev: CacheSnapshot | undefined, seconds: number): CacheView {
  const usePrev = prev !== undefined && seconds > 0 && !wasReset(cur, prev);
  const base = usePrev ? prev : undefined;
  const window = usePrev ? seconds : undefined;
  const rate = (n: number) => (window === undefined ? undefined : n / window);

  const tiers: TierRow[] = [];
  let hits = 0;
  let l1Lookups = 0;
  for (const tier of Object.keys(cur.requests).sort()) {
    const d = minus(cur.requests[tier]!, base?.requests[tier]);
    const lookups = sum(d);
    hits += d.hit ?? 0;
    if (tier === 'l1') l1Lookups = lookups;
    tiers.push({
      tier,
      lookups,
      hitRatio: lookups > 0 ? (d.hit ?? 0) / lookups : undefined,
      stale: d.stale ?? 0,
      errors: d.error ?? 0,
      entries: cur.entries[tier],
      bytes: cur.bytes[tier],
      circuit: cur.circuits[tier],
    });
  }
  const movements = Object.entries(minus(cur.movements, base?.movements))
    .filter(([, n]) => n > 0 || window === undefined)
    .map(([path, count]) => ({ path, count, perSecond: rate(count) }));
  const evictions = Object.entries(minus(cur.evictions, base?.evictions)).map(([reason, count]) => ({
    reason,
    count,
    perSecond: rate(count),
  }));
  const loaderHist = histMinus(cur.loader, base?.loader);
  const http = Object.entries(minus(cur.http, base?.http))
    .map(([k, count]) => {
      const i = k.lastIndexOf(' ');
      return { route: k.slice(0, i), result: k.slice(i + 1), count, perSecond: rate(count) };
    })
    .sort((a, b) => a.route.localeCompare(b.route) || a.result.localeCompare(b.result));
  return {
    cache: cur.cache,
    windowSeconds: window,
    hitRatio: l1Lookups > 0 ? hits / l1Lookups : undefined,
    requestsPerSecond: rate(l1Lookups),
    tiers,
    arc: cur.arc,
    movements,
    evictions,
    stale: Object.entries(minus(cur.stale, base?.stale)).map(([reason, count]) => ({ reason, count })),
    loader: {
      calls: minus(cur.loaderCalls, base?.loaderCalls),
      coalesced: cur.coalesced - (base?.coalesced ?? 0),
      p50: quantile(0.5, loaderHist),
      p95: quantile(0.95, loaderHist),
      p99: quantile(0.99, loaderHist),
    },
    http,
  };
}

/**
 * One scrape of a /metrics endpoint read back into OmniCache's own terms, per cache. Every metric and label name
 * comes from the conventions (omnicache/conventions), never spelled here.
 */
import { ATTR, METRICS, type MetricConvention, prometheusLabel, prometheusName } from 'omnicache/conventions';
import type { Sample } from './exposition.js';

export interface Histogram {
  /** Cumulative counts by upper bound (ascending, last is +Inf). */
  buckets: [number, number][];
  count: number;
  sum: number;
}

export interface CacheSnapshot {
  cache: string;
  /** tier -> result -> count (omnicache.requests). */
  requests: Record<string, Record<string, number>>;
  loaderCalls: Record<string, number>;
  coalesced: number;
  /** reason -> count (l1). */
  evictions: Record<string, number>;
  entries: Record<string, number>;
  bytes: Record<string, number>;
  /** "from>to" -> count. */
  movements: Record<string, number>;
  arc:
    | {
        c: number;
        p: number;
        t1: number;
        t2: number;
        b1: number;
        b2: number;
        ghostB1: number;
        ghostB2: number;
      }
    | undefined;
  /** tier -> current circuit state. */
  circuits: Record<string, string>;
  stale: Record<string, number>;
  loader: Histogram | undefined;
  /** "route result" -> count (omnicache.http.responses). */
  http: Record<string, number>;
}

export interface Scrape {
  at: number;
  caches: Map<string, CacheSnapshot>;
}

const L = {
  cache: prometheusLabel(ATTR.cache),
  tier: prometheusLabel(ATTR.tier),
  result: prometheusLabel(ATTR.result),
  outcome: prometheusLabel(ATTR.outcome),
  reason: prometheusLabel(ATTR.evictionReason),
  from: prometheusLabel(ATTR.movementFrom),
  to: prometheusLabel(ATTR.movementTo),
  list: prometheusLabel(ATTR.arcList),
  circuit: prometheusLabel(ATTR.circuitState),
  stale: prometheusLabel(ATTR.staleReason),
  route: prometheusLabel(ATTR.httpRoute),
  httpResult: prometheusLabel(ATTR.httpResult),
};

const name = (m: MetricConvention) => prometheusName(m);
const N = {
  requests: name(METRICS.requests),
  loaderCalls: name(METRICS.loaderCalls),
  coalesced: name(METRICS.singleflightCoalesced),
  evictions: name(METRICS.evictions),
  entries: name(METRICS.tierEntries),
  bytes: name(METRICS.tierSize),
  movements: name(METRICS.tierMovements),
  arcCapacity: name(METRICS.arcCapacity),
  arcTarget: name(METRICS.arcTarget),
  arcList: name(METRICS.arcListSize),
  ghostHits: name(METRICS.arcGhostHits),
  circuit: name(METRICS.circuitState),
  stale: name(METRICS.staleServed),
  loaderDuration: name(METRICS.loaderDuration),
  http: name(METRICS.httpResponses),
};

function empty(cache: string): CacheSnapshot {
  return {
    cache,
    requests: {},
    loaderCalls: {},
    coalesced: 0,
    evictions: {},
    entries: {},
    bytes: {},
    movements: {},
    arc: undefined,
    circuits: {},
    stale: {},
    loader: undefined,
    http: {},
  };
}

const add = (o: Record<string, number>, k: string, v: number) => {
  o[k] = (o[k] ?? 0) + v;
};

/** Groups the OmniCache samples of one scrape by cache name (series of several processes are summed). */
export function toScrape(samples: readonly Sample[], at: number): Scrape {
  const caches = new Map<string, CacheSnapshot>();
  const of = (s: Sample) => {
    const c = s.labels[L.cache] ?? '';
    let snap = caches.get(c);
    if (snap === undefined) {
      snap = empty(c);
      caches.set(c, snap);
    }
    return snap;
  };
  const arcOf = (snap: CacheSnapshot) => {
    snap.arc ??= { c: 0, p: 0, t1: 0, t2: 0, b1: 0, b2: 0, ghostB1: 0, ghostB2: 0 };
    return snap.arc;
  };
  const loaderOf = (snap: CacheSnapshot) => {
    snap.loader ??= { buckets: [], count: 0, sum: 0 };
    return snap.loader;
  };
  for (const s of samples) {
    if (!s.name.startsWith('omnicache_')) continue;
    const l = s.labels;
    const v = s.value;
    switch (s.name) {
      case N.requests: {
        const snap = of(s);
        const tier = l[L.tier] ?? '?';
        snap.requests[tier] ??= {};
        add(snap.requests[tier], l[L.result] ?? '?', v);
        break;
      }
      case N.loaderCalls:
        add(of(s).loaderCalls, l[L.outcome] ?? '?', v);
        break;
      case N.coalesced:
        of(s).coalesced += v;
        break;
      case N.evictions:
        add(of(s).evictions, l[L.reason] ?? '?', v);
        break;
      case N.entries:
        add(of(s).entries, l[L.tier] ?? '?', v);
        break;
      case N.bytes:
        add(of(s).bytes, l[L.tier] ?? '?', v);
        break;
      case N.movements:
        add(of(s).movements, `${l[L.from]}>${l[L.to]}`, v);
        break;
      case N.arcCapacity:
        arcOf(of(s)).c += v;
        break;
      case N.arcTarget:
        arcOf(of(s)).p += v;
        break;
      case N.arcList: {
        const list = l[L.list];
        if (list === 't1' || list === 't2' || list === 'b1' || list === 'b2') arcOf(of(s))[list] += v;
        break;
      }
      case N.ghostHits:
        if (l[L.list] === 'b1') arcOf(of(s)).ghostB1 += v;
        else if (l[L.list] === 'b2') arcOf(of(s)).ghostB2 += v;
        break;
      case N.circuit:
        if (v === 1) of(s).circuits[l[L.tier] ?? '?'] = l[L.circuit] ?? '?';
        break;
      case N.stale:
        add(of(s).stale, l[L.stale] ?? '?', v);
        break;
      case `${N.loaderDuration}_bucket`: {
        const h = loaderOf(of(s));
        const le = l.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(l.le);
        const b = h.buckets.find(([bound]) => bound === le);
        if (b) b[1] += v;
        else h.buckets.push([le, v]);
        break;
      }
      case `${N.loaderDuration}_count`:
        loaderOf(of(s)).count += v;
        break;
      case `${N.loaderDuration}_sum`:
        loaderOf(of(s)).sum += v;
        break;
      case N.http:
        add(of(s).http, `${l[L.route]} ${l[L.httpResult]}`, v);
        break;
    }
  }
  for (const snap of caches.values()) snap.loader?.buckets.sort((a, b) => a[0] - b[0]);
  return { at, caches };
}

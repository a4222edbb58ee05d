// Tier movement view model: how requests flowed through L1 -> L2 -> L3 -> loader over the selected range, with
// hits, misses, promotions, demotions and evictions by reason, and prefetch as a source of L1 entries (for caches
// with learned prefetch), as totals and per-second rates.
import type { EvictionReason, Outcome, RequestResult, TierLevel } from 'omnicache/conventions';
import {
  EVICTION_REASON_VALUES,
  OUTCOME_VALUES,
  PREFETCH_DROP_REASON_VALUES,
  RESULT_VALUES,
  TIER_VALUES,
} from 'omnicache/conventions';
import { cacheNames, counterIncrease, missingSeries, type SampleSeries, seriesOfCache } from './samples.js';
import { LABELS, SERIES, VIEW_SERIES } from './series-names.js';

export type PrefetchDropReason = (typeof PREFETCH_DROP_REASON_VALUES)[number];

export type FlowNode = 'requests' | TierLevel | 'loader' | 'prefetch';

export type FlowEdgeKind = 'lookup' | 'miss' | 'load' | 'promotion' | 'demotion' | 'prefetch';

export interface FlowAmount {
  /** Increase over the range. */
  readonly total: number;
  /** total / range seconds. */
  readonly rate: number;
}

export interface FlowEdge extends FlowAmount {
  readonly from: FlowNode;
  readonly to: FlowNode;
  readonly kind: FlowEdgeKind;
}

export interface TierFlow {
  readonly tier: TierLevel;
  readonly lookups: FlowAmount;
  readonly results: Readonly<Record<RequestResult, FlowAmount>>;
  readonly evictions: Readonly<Record<EvictionReason, FlowAmount>>;
}

/** Prefetch as a source of L1 entries: hints received, loads issued for them, and what became of the entries. */
export interface PrefetchFlow {
  readonly hints: FlowAmount;
  /** Prefetch loads started (the size of the prefetch -> l1 edge). */
  readonly issued: FlowAmount;
  /** Prefetched entries read by a later request. */
  readonly used: FlowAmount;
  /** Prefetched entries evicted, expired or unread in time. */
  readonly wasted: FlowAmount;
  /** used / (used + wasted); undefined before any prefetched entry settled. */
  readonly precision: number | undefined;
  /** Hints not acted on, by reason (rate_limit: dropped by the rate limit). */
  readonly dropped: Readonly<Record<PrefetchDropReason, FlowAmount>>;
}

export interface FlowModel {
  readonly cache: string | undefined;
  readonly caches: readonly string[];
  readonly missing: readonly string[];
  /** Seconds the totals cover. */
  readonly rangeSeconds: number;
  /** Tiers that saw lookups, in order. */
  readonly tiers: readonly TierFlow[];
  readonly loader: Readonly<Record<Outcome, FlowAmount>>;
  /** Undefined when the cache reports no prefetch counters (no `prefetch` option). */
  readonly prefetch: PrefetchFlow | undefined;
  readonly edges: readonly FlowEdge[];
}

export interface FlowOptions {
  readonly cache?: string | undefined;
  /** The selected range in epoch ms; default: the span of the samples. */
  readonly from?: number;
  readonly to?: number;
}

function amount(total: number, seconds: number): FlowAmount {
  return { total, rate: seconds > 0 ? total / seconds : 0 };
}

export function flowModel(all: readonly SampleSeries[], options: FlowOptions = {}): FlowModel {
  const caches = cacheNames(all);
  const cache = options.cache && options.cache !== '' ? options.cache : caches[0];
  const series = seriesOfCache(all, cache);
  const missing = missingSeries(series, VIEW_SERIES.tiers);
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    if (s.times.length === 0) continue;
    first = Math.min(first, s.times[0]!);
    last = Math.max(last, s.times[s.times.length - 1]!);
  }
  const from = options.from ?? first;
  const to = options.to ?? last;
  const seconds = Number.isFinite(from) && Number.isFinite(to) && to > from ? (to - from) / 1000 : 0;
  const sum = (name: string, labels: Readonly<Record<string, string>>) => {
    let total = 0;
    for (const s of series) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += counterIncrease(s, from, to);
    }
    return amount(total, seconds);
  };

  const tiers: TierFlow[] = [];
  for (const tier of TIER_VALUES) {
    const results = Object.fromEntries(
      RESULT_VALUES.map((r) => [r, sum(SERIES.requests, { [LABELS.tier]: tier, [LABELS.result]: r })]),
    ) as Record<RequestResult, FlowAmount>;
    const evictions = Object.fromEntries(
      EVICTION_REASON_VALUES.map((r) => [
        r,
        sum(SERIES.evictions, { [LABELS.tier]: tier, [LABELS.evictionReason]: r }),
      ]),
    ) as Record<EvictionReason, FlowAmount>;
    const present = series.some((s) => s.name === SERIES.requests && s.labels[LABELS.tier] === tier);
    if (!present) continue;
    const lookups = amount(
      RESULT_VALUES.reduce((n, r) => n + results[r].total, 0),
      seconds,
    );
    tiers.push({ tier, lookups, results, evictions });
  }
  const loader = Object.fromEntries(
    OUTCOME_VALUES.map((o) => [o, sum(SERIES.loaderCalls, { [LABELS.outcome]: o })]),
  ) as Record<Outcome, FlowAmount>;

  const edges: FlowEdge[] = [];
  const firstTier = tiers[0];
  if (firstTier) edges.push({ from: 'requests', to: firstTier.tier, kind: 'lookup', ...firstTier.lookups });
  // What a tier does not answer fresh (miss, stale, error) goes on to the next tier, after the last to the loader.
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    const next = tiers[i + 1];
    const onward = t.results.miss.total + t.results.stale.total + t.results.error.total;
    edges.push({
      from: t.tier,
      to: next ? next.tier : 'loader',
      kind: next ? 'miss' : 'load',
      ...amount(onward, seconds),
    });
  }
  // Movements between the tiers the cache has (an SDK reports every pair, zero for tiers it does not have).
  const present = new Set<FlowNode>(tiers.map((t) => t.tier));
  for (const from of TIER_VALUES) {
    for (const to of TIER_VALUES) {
      if (from === to || !present.has(from) || !present.has(to)) continue;
      const moved = sum(SERIES.tierMovements, { [LABELS.movementFrom]: from, [LABELS.movementTo]: to });
      const known = series.some(
        (s) =>
          s.name === SERIES.tierMovements &&
          s.labels[LABELS.movementFrom] === from &&
          s.labels[LABELS.movementTo] === to,
      );
      if (!known) continue;
      const kind: FlowEdgeKind =
        TIER_VALUES.indexOf(from) > TIER_VALUES.indexOf(to) ? 'promotion' : 'demotion';
      edges.push({ from, to, kind, ...moved });
    }
  }
  const prefetch = prefetchFlow(series, sum);
  if (prefetch && tiers.some((t) => t.tier === 'l1'))
    edges.push({ from: 'prefetch', to: 'l1', kind: 'prefetch', ...prefetch.issued });
  return { cache, caches, missing, rangeSeconds: seconds, tiers, loader, prefetch, edges };
}

function prefetchFlow(
  series: readonly SampleSeries[],
  sum: (name: string, labels: Readonly<Record<string, string>>) => FlowAmount,
): PrefetchFlow | undefined {
  if (!series.some((s) => s.name === SERIES.prefetchIssued && s.times.length > 0)) return undefined;
  const used = sum(SERIES.prefetchResults, { [LABELS.prefetchResult]: 'used' });
  const wasted = sum(SERIES.prefetchResults, { [LABELS.prefetchResult]: 'wasted' });
  const settled = used.total + wasted.total;
  return {
    hints: sum(SERIES.prefetchHints, {}),
    issued: sum(SERIES.prefetchIssued, {}),
    used,
    wasted,
    precision: settled > 0 ? used.total / settled : undefined,
    dropped: Object.fromEntries(
      PREFETCH_DROP_REASON_VALUES.map((r) => [
        r,
        sum(SERIES.prefetchDropped, { [LABELS.prefetchDropReason]: r }),
      ]),
    ) as Record<PrefetchDropReason, FlowAmount>,
  };
}

// The Prometheus series and labels each view reads. Every name is derived from the SDK's telemetry conventions
// (`omnicache/conventions`, the browser-safe entry); none is spelled here.
import { ATTR, METRICS, prometheusLabel, prometheusName } from 'omnicache/conventions';

export const SERIES = {
  arcCapacity: prometheusName(METRICS.arcCapacity),
  arcTarget: prometheusName(METRICS.arcTarget),
  arcListSize: prometheusName(METRICS.arcListSize),
  arcGhostHits: prometheusName(METRICS.arcGhostHits),
  requests: prometheusName(METRICS.requests),
  tierMovements: prometheusName(METRICS.tierMovements),
  evictions: prometheusName(METRICS.evictions),
  loaderCalls: prometheusName(METRICS.loaderCalls),
  prefetchHints: prometheusName(METRICS.prefetchHints),
  prefetchIssued: prometheusName(METRICS.prefetchIssued),
  prefetchResults: prometheusName(METRICS.prefetchResults),
  prefetchDropped: prometheusName(METRICS.prefetchDropped),
} as const;

export const LABELS = {
  name: '__name__',
  cache: prometheusLabel(ATTR.cache),
  tier: prometheusLabel(ATTR.tier),
  result: prometheusLabel(ATTR.result),
  outcome: prometheusLabel(ATTR.outcome),
  evictionReason: prometheusLabel(ATTR.evictionReason),
  movementFrom: prometheusLabel(ATTR.movementFrom),
  movementTo: prometheusLabel(ATTR.movementTo),
  arcList: prometheusLabel(ATTR.arcList),
  prefetchResult: prometheusLabel(ATTR.prefetchResult),
  prefetchDropReason: prometheusLabel(ATTR.prefetchDropReason),
} as const;

export type ViewName = 'arc' | 'tiers' | 'audit';

/** Series each metrics view needs; a view names the missing ones instead of drawing an empty box. */
export const VIEW_SERIES: Readonly<Record<Exclude<ViewName, 'audit'>, readonly string[]>> = {
  arc: [SERIES.arcCapacity, SERIES.arcTarget, SERIES.arcListSize, SERIES.arcGhostHits],
  tiers: [SERIES.requests, SERIES.tierMovements, SERIES.evictions, SERIES.loaderCalls],
};

/**
 * Series a view shows when they are there and does without otherwise (the prefetch counters exist only for caches
 * with the `prefetch` option: the tier view then shows prefetch as a source of L1 entries).
 */
export const VIEW_OPTIONAL_SERIES: Readonly<Record<Exclude<ViewName, 'audit'>, readonly string[]>> = {
  arc: [],
  tiers: [SERIES.prefetchHints, SERIES.prefetchIssued, SERIES.prefetchResults, SERIES.prefetchDropped],
};

/**
 * The PromQL queries (raw selectors, so every series keeps its `__name__`) a dashboard gives each view.
 * Rates are computed by the panel over the selected range, so counters are queried as they are.
 */
export function viewQueries(view: Exclude<ViewName, 'audit'>, cacheVariable = '$cache'): string[] {
  const cacheMatcher = cacheVariable === '' ? '' : `{${LABELS.cache}=~"${cacheVariable}"}`;
  return [...VIEW_SERIES[view], ...VIEW_OPTIONAL_SERIES[view]].map((name) => `${name}${cacheMatcher}`);
}

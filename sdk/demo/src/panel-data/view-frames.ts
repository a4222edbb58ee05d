// The demo's data source for the panel: the series each view reads (the same ones the provisioned dashboard's
// Prometheus queries select), from the in-process MetricsHistory, as Grafana data frames in their JSON wire form
// (one frame per series: a Time field and a Value field carrying the series' labels, like Grafana's Prometheus
// data source returns them).
import { ATTR, METRICS, type MetricConvention, prometheusLabel, prometheusName } from 'omnicache/conventions';
import type { MetricsHistory } from './metrics-history.js';

export type MetricsView = 'arc' | 'tiers';

/** A data frame in Grafana's JSON wire form (`DataFrameJSON` of @grafana/data, the fields this source uses). */
export interface FrameJSON {
  schema: {
    refId: string;
    fields: [
      { name: 'Time'; type: 'time' },
      { name: 'Value'; type: 'number'; labels: Record<string, string> },
    ];
  };
  data: { values: [number[], number[]] };
}

/** What each view of the panel queries (grafana-plugin/src/transforms/series-names.ts, viewQueries). */
export const VIEW_METRICS: Readonly<Record<MetricsView, readonly MetricConvention[]>> = {
  arc: [METRICS.arcCapacity, METRICS.arcTarget, METRICS.arcListSize, METRICS.arcGhostHits],
  tiers: [
    METRICS.requests,
    METRICS.tierMovements,
    METRICS.evictions,
    METRICS.loaderCalls,
    // VIEW_OPTIONAL_SERIES: prefetch as a source of L1 entries, for caches with the prefetch option
    METRICS.prefetchHints,
    METRICS.prefetchIssued,
    METRICS.prefetchResults,
    METRICS.prefetchDropped,
  ],
};

export function isMetricsView(v: string | null): v is MetricsView {
  return v === 'arc' || v === 'tiers';
}

/** Frames of one view for one cache over [from, to] (epoch ms), refIds A, B, ... per metric like the dashboard. */
export function viewFrames(
  history: MetricsHistory,
  view: MetricsView,
  cache: string,
  from: number,
  to: number,
): FrameJSON[] {
  const frames: FrameJSON[] = [];
  VIEW_METRICS[view].forEach((metric, i) => {
    const refId = String.fromCharCode(65 + i);
    const match = { [prometheusLabel(ATTR.cache)]: cache };
    for (const s of history.query(prometheusName(metric), match, from, to)) {
      frames.push({
        schema: {
          refId,
          fields: [
            { name: 'Time', type: 'time' },
            { name: 'Value', type: 'number', labels: { ...s.labels } },
          ],
        },
        data: { values: [[...s.times], [...s.values]] },
      });
    }
  });
  return frames;
}

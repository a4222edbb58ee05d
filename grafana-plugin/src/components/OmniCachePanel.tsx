import type { PanelProps } from '@grafana/data';
import { useMemo } from 'react';
import { annotationsFromFrames } from '../transforms/annotations.js';
import { arcModel } from '../transforms/arc.js';
import { auditRecords, missingAuditFields } from '../transforms/audit.js';
import { framesToSeries } from '../transforms/samples.js';
import { flowModel } from '../transforms/tier-flow.js';
import type { PanelOptions } from '../types.js';
import { ArcView } from './ArcView.js';
import { AuditView } from './AuditView.js';
import { TierFlowView } from './TierFlowView.js';

/** The panel: one of three views over the query results, chosen by the `view` option. */
export function OmniCachePanel({ data, options, width, height, timeRange }: PanelProps<PanelOptions>) {
  const from = timeRange.from.valueOf();
  const to = timeRange.to.valueOf();
  const series = useMemo(
    () => (options.view === 'audit' ? [] : framesToSeries(data.series)),
    [data.series, options.view],
  );
  const flow = useMemo(
    () => (options.view === 'tiers' ? flowModel(series, { cache: options.cache, from, to }) : undefined),
    [series, options.view, options.cache, from, to],
  );
  const arc = useMemo(
    () =>
      options.view !== 'tiers' && options.view !== 'audit'
        ? arcModel(series, annotationsFromFrames(data.annotations), {
            cache: options.cache,
            hysteresis: options.shiftHysteresis,
          })
        : undefined,
    [series, data.annotations, options.view, options.cache, options.shiftHysteresis],
  );
  if (flow) return <TierFlowView model={flow} width={width} height={height} />;
  if (options.view === 'audit') {
    return (
      <AuditView
        records={auditRecords(data.series)}
        missing={missingAuditFields(data.series)}
        from={from}
        to={to}
        width={width}
        height={height}
        maxRows={options.auditRows}
      />
    );
  }
  if (!arc) return null;
  return <ArcView model={arc} width={width} height={height} showGhosts={options.showGhosts} />;
}

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { type ArcModel, lastValue } from '../transforms/arc.js';
import { stack } from '../transforms/decimate.js';
import { Legend } from './Legend.js';
import { MissingData } from './MissingData.js';
import { type ChartMark, type ChartSeries, TimeChart } from './TimeChart.js';

export interface ArcViewProps {
  model: ArcModel;
  width: number;
  height: number;
  showGhosts: boolean;
}

const fmt = (v: number | null, digits = 0) => (v == null ? '–' : v.toFixed(digits));
const rate = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));

/** ARC adaptation: target p against capacity c, T1/T2 stacked, B1/B2 ghost sizes, ghost-hit rates, policy shifts. */
export function ArcView({ model, width, height, showGhosts }: ArcViewProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  if (model.missing.length > 0) {
    return (
      <MissingData
        view="ARC adaptation"
        missing={model.missing}
        hint="Query the OmniCache ARC series (an L1 with policy 'arc', SDK with ARC telemetry) for the selected cache; see the panel's README for the queries."
      />
    );
  }
  const color = (name: string) => theme.visualization.getColorByName(name);
  const c = {
    t1: color('blue'),
    t2: color('green'),
    p: color('orange'),
    cap: theme.colors.text.primary,
    b1: color('purple'),
    b2: color('yellow'),
    recency: color('blue'),
    frequency: color('green'),
    anomaly: color('red'),
  };
  const t1t2 = stack(model.t1, model.t2);
  const resident: ChartSeries[] = [
    { label: 'T1 (recency)', color: c.t1, values: model.t1, kind: 'area' },
    { label: 'T2 (frequency)', color: c.t2, values: t1t2, base: model.t1, shown: model.t2, kind: 'area' },
    { label: 'target p', color: c.p, values: model.target, kind: 'line' },
    { label: 'capacity c', color: c.cap, values: model.capacity, kind: 'line', dashed: true },
  ];
  const ghosts: ChartSeries[] = [
    { label: 'B1 ghosts', color: c.b1, values: model.b1, kind: 'line' },
    { label: 'B2 ghosts', color: c.b2, values: model.b2, kind: 'line' },
    {
      label: 'B1 ghost hits/s',
      color: c.b1,
      values: model.ghostRateB1,
      kind: 'line',
      thin: true,
      right: true,
    },
    {
      label: 'B2 ghost hits/s',
      color: c.b2,
      values: model.ghostRateB2,
      kind: 'line',
      thin: true,
      right: true,
    },
  ];
  const marks: ChartMark[] = [
    ...model.shifts.map((s) => ({
      time: s.time,
      label: `policy → ${s.to} (p/c ${s.share.toFixed(2)})`,
      color: s.to === 'recency' ? c.recency : c.frequency,
    })),
    ...model.annotations.map((a) => ({
      time: a.time,
      ...(a.timeEnd !== undefined ? { timeEnd: a.timeEnd } : {}),
      label: `anomaly: ${a.text}`,
      color: c.anomaly,
    })),
  ];
  const legend = [
    { label: 'T1 (recency)', color: c.t1, value: fmt(lastValue(model.t1)) },
    { label: 'T2 (frequency)', color: c.t2, value: fmt(lastValue(model.t2)) },
    { label: 'target p', color: c.p, value: fmt(lastValue(model.target), 1) },
    { label: 'capacity c', color: c.cap, value: fmt(lastValue(model.capacity)) },
    ...(showGhosts
      ? [
          { label: 'B1 ghosts', color: c.b1, value: fmt(lastValue(model.b1)) },
          { label: 'B2 ghosts', color: c.b2, value: fmt(lastValue(model.b2)) },
          { label: 'B1 ghost hits/s', color: c.b1, value: fmt(lastValue(model.ghostRateB1), 2) },
          { label: 'B2 ghost hits/s', color: c.b2, value: fmt(lastValue(model.ghostRateB2), 2) },
        ]
      : []),
    { label: 'policy shifts', color: c.recency, value: String(model.shifts.length) },
  ];
  // header line + legend rows (items wrap at about 150 px each)
  const legendRows = Math.ceil((legend.length * 150) / Math.max(150, width));
  const legendH = 20 + legendRows * 22;
  const chartsH = Math.max(60, height - legendH);
  const mainH = showGhosts ? Math.round(chartsH * 0.6) : chartsH;
  return (
    <div className={styles.view} data-testid="omnicache-arc-view">
      <div className={styles.header}>
        cache <strong>{model.cache ?? '–'}</strong>
      </div>
      <Legend items={legend} />
      <TimeChart
        times={model.times}
        panes={[
          {
            title: 'resident entries: T1 + T2 (stacked), target p, capacity c',
            series: resident,
            height: mainH,
          },
          ...(showGhosts
            ? [
                {
                  title: 'ghost lists |B1|, |B2| (left) and ghost hits/s (right axis, thin lines)',
                  series: ghosts,
                  height: chartsH - mainH,
                  rightFormat: rate,
                },
              ]
            : []),
        ]}
        marks={marks}
        width={width}
        testId="arc-chart"
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ color: theme.colors.text.primary, overflow: 'hidden' }),
  header: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
});

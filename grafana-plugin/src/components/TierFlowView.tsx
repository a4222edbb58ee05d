import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { EVICTION_REASON_VALUES } from 'omnicache/conventions';
import { useState } from 'react';
import type { FlowAmount, FlowEdge, FlowModel, FlowNode, PrefetchFlow } from '../transforms/tier-flow.js';
import { MissingData } from './MissingData.js';

export interface TierFlowViewProps {
  model: FlowModel;
  width: number;
  height: number;
}

const NODE_LABEL: Record<FlowNode, string> = {
  requests: 'requests',
  l1: 'L1',
  l2: 'L2',
  l3: 'L3',
  loader: 'loader',
  prefetch: 'prefetch',
};

export const formatCount = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
export const formatRate = (r: number) => (r >= 100 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(3));
const amountText = (a: FlowAmount) => `${formatCount(a.total)} (${formatRate(a.rate)}/s)`;

export function edgeLabel(e: FlowEdge): string {
  if (e.kind === 'prefetch') return `prefetch → ${NODE_LABEL[e.to]}: issued ${amountText(e)}`;
  return `${e.kind} ${NODE_LABEL[e.from]} → ${NODE_LABEL[e.to]}: ${amountText(e)}`;
}

const precisionText = (p: PrefetchFlow) =>
  p.precision === undefined ? '–' : `${(100 * p.precision).toFixed(1)}%`;

/** What became of the prefetched entries, for the prefetch edge's and node's hover text. */
export function prefetchSummary(p: PrefetchFlow): string {
  return `prefetch: hints ${amountText(p.hints)}, issued ${amountText(p.issued)}, used ${amountText(p.used)}, wasted ${amountText(p.wasted)}, precision ${precisionText(p)}, dropped by rate limit ${amountText(p.dropped.rate_limit)}`;
}

const droppedOther = (p: PrefetchFlow): FlowAmount => {
  let total = 0;
  let rate = 0;
  for (const [reason, a] of Object.entries(p.dropped)) {
    if (reason === 'rate_limit') continue;
    total += a.total;
    rate += a.rate;
  }
  return { total, rate };
};

/**
 * Tier movement: requests through L1 -> L2 -> L3 -> loader, promotions, demotions, evictions by reason, and, for a
 * cache with learned prefetch, prefetch as a source of L1 entries (a box under the requests, its edge into L1).
 */
export function TierFlowView({ model, width, height }: TierFlowViewProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const [hovered, setHovered] = useState<string | undefined>(undefined);
  if (model.missing.length > 0) {
    return (
      <MissingData
        view="Tier movement"
        missing={model.missing}
        hint="Query the OmniCache request, movement, eviction and loader counters for the selected cache, and its prefetch counters to see prefetch as a source of L1 entries (raw counters: the panel computes the rates over the range)."
      />
    );
  }
  const nodes: FlowNode[] = ['requests', ...model.tiers.map((t) => t.tier), 'loader'];
  const prefetch = model.prefetch;
  // boxes take about 55% of the width, the gaps between them hold the forward edges and their labels
  const boxW = Math.max(60, Math.min(130, (width * 0.55) / nodes.length));
  const gap = (width - nodes.length * boxW) / (nodes.length + 1);
  const svgH = Math.max(prefetch ? 240 : 160, Math.min(300, height - 120));
  const boxH = 48;
  // with prefetch, the row moves up and the prefetch box sits under the requests box
  const rowY = prefetch ? svgH * 0.4 : svgH / 2;
  const prefetchH = 56;
  const prefetchY = svgH - prefetchH / 2 - 6;
  const xOf = (n: FlowNode) => (n === 'prefetch' ? gap : gap + nodes.indexOf(n) * (boxW + gap));
  const maxRate = Math.max(1e-9, ...model.edges.map((e) => e.rate));
  const strokeW = (r: number) => 1.5 + 8 * (r / maxRate);
  const color = {
    lookup: theme.colors.text.secondary,
    miss: theme.visualization.getColorByName('orange'),
    load: theme.visualization.getColorByName('red'),
    promotion: theme.visualization.getColorByName('green'),
    demotion: theme.visualization.getColorByName('purple'),
    prefetch: theme.visualization.getColorByName('blue'),
  };
  const edgePath = (e: FlowEdge, i: number) => {
    const x1 = xOf(e.from);
    const x2 = xOf(e.to);
    if (e.kind === 'prefetch') {
      // from the prefetch box's right side, across and up into the bottom of L1 (left of where demotions leave)
      const sx = x1 + boxW;
      const ex = x2 + boxW * 0.25;
      const ey = rowY + boxH / 2 + 2;
      return {
        d: `M${sx},${prefetchY}Q${ex},${prefetchY} ${ex},${ey}`,
        lx: (sx + ex) / 2,
        ly: prefetchY + 16,
      };
    }
    if (e.kind === 'lookup' || e.kind === 'miss' || e.kind === 'load') {
      return { d: `M${x1 + boxW},${rowY}L${x2 - 2},${rowY}`, lx: (x1 + boxW + x2) / 2, ly: rowY - 10 };
    }
    // promotions arc above the row (right to left), demotions below (left to right)
    const up = e.kind === 'promotion';
    const sx = x1 + boxW / 2;
    const ex = x2 + boxW / 2;
    const sy = rowY + (up ? -boxH / 2 : boxH / 2);
    // the curve's apex sits `rise` away from the box edge (a quadratic's apex is halfway to its control point)
    const rise = Math.min(rowY - boxH / 2 - 18, 30 + (i % 3) * 18) * (up ? -1 : 1);
    return {
      d: `M${sx},${sy}Q${(sx + ex) / 2},${sy + 2 * rise} ${ex},${sy}`,
      lx: (sx + ex) / 2,
      ly: sy + rise + (up ? -4 : 12),
    };
  };
  const detail = hovered ?? 'hover an edge or a tier for its numbers';
  const showDetail = (e: React.SyntheticEvent) => {
    const g = (e.target as Element).closest('[data-detail]');
    setHovered(g?.getAttribute('data-detail') ?? undefined);
  };
  return (
    <div className={styles.view} data-testid="omnicache-tier-view">
      <div className={styles.header}>
        cache <strong>{model.cache ?? '–'}</strong> · over {formatCount(Math.round(model.rangeSeconds))} s
      </div>
      <svg
        width={width}
        height={svgH}
        role="img"
        aria-label="tier movement"
        onMouseOver={showDetail}
        onFocus={showDetail}
        onMouseLeave={() => setHovered(undefined)}
      >
        <defs>
          {Object.entries(color).map(([k, c]) => (
            <marker
              key={k}
              id={`arrow-${k}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerUnits="userSpaceOnUse"
              markerWidth="12"
              markerHeight="12"
              orient="auto"
            >
              <path d="M0,0L10,5L0,10z" fill={c} />
            </marker>
          ))}
        </defs>
        {model.edges.map((e, i) => {
          const { d, lx, ly } = edgePath(e, i);
          const label = edgeLabel(e);
          return (
            <g
              key={`${e.kind}-${e.from}-${e.to}`}
              data-edge={`${e.kind}:${e.from}->${e.to}`}
              data-total={e.total}
              data-detail={label}
            >
              <path
                d={d}
                fill="none"
                stroke={color[e.kind]}
                strokeWidth={strokeW(e.rate)}
                strokeOpacity={0.8}
                markerEnd={`url(#arrow-${e.kind})`}
              />
              <text x={lx} y={ly} textAnchor="middle" className={styles.edgeText}>
                {e.kind === 'prefetch' ? 'issued' : e.kind} {formatRate(e.rate)}/s
              </text>
              <title>{label}</title>
            </g>
          );
        })}
        {nodes.map((n) => {
          const tier = model.tiers.find((t) => t.tier === n);
          const lines: string[] = [];
          let summary = NODE_LABEL[n];
          if (tier) {
            const hitRatio = tier.lookups.total > 0 ? (100 * tier.results.hit.total) / tier.lookups.total : 0;
            lines.push(`hits ${formatCount(tier.results.hit.total)} (${hitRatio.toFixed(1)}%)`);
            summary = `${NODE_LABEL[n]}: lookups ${amountText(tier.lookups)}, hits ${amountText(tier.results.hit)}, misses ${amountText(tier.results.miss)}, stale ${amountText(tier.results.stale)}, errors ${amountText(tier.results.error)}`;
          } else if (n === 'loader') {
            lines.push(
              `calls ${formatCount(model.loader.success.total + model.loader.error.total + model.loader.timeout.total)}`,
            );
            summary = `loader: success ${amountText(model.loader.success)}, error ${amountText(model.loader.error)}, timeout ${amountText(model.loader.timeout)}`;
          }
          return (
            <g key={n} data-node={n} data-detail={summary}>
              <rect
                x={xOf(n)}
                y={rowY - boxH / 2}
                width={boxW}
                height={boxH}
                rx={4}
                className={styles.node}
              />
              <text x={xOf(n) + boxW / 2} y={rowY - 6} textAnchor="middle" className={styles.nodeTitle}>
                {NODE_LABEL[n]}
              </text>
              {lines.map((l) => (
                <text
                  key={l}
                  x={xOf(n) + boxW / 2}
                  y={rowY + 12}
                  textAnchor="middle"
                  className={styles.nodeText}
                >
                  {l}
                </text>
              ))}
              <title>{summary}</title>
            </g>
          );
        })}
        {prefetch && (
          <g data-node="prefetch" data-detail={prefetchSummary(prefetch)}>
            <rect
              x={xOf('prefetch')}
              y={prefetchY - prefetchH / 2}
              width={boxW}
              height={prefetchH}
              rx={4}
              className={styles.node}
            />
            <text
              x={xOf('prefetch') + boxW / 2}
              y={prefetchY - 10}
              textAnchor="middle"
              className={styles.nodeTitle}
            >
              {NODE_LABEL.prefetch}
            </text>
            <text
              x={xOf('prefetch') + boxW / 2}
              y={prefetchY + 6}
              textAnchor="middle"
              className={styles.nodeText}
            >
              used {formatCount(prefetch.used.total)}
            </text>
            <text
              x={xOf('prefetch') + boxW / 2}
              y={prefetchY + 20}
              textAnchor="middle"
              className={styles.nodeText}
            >
              wasted {formatCount(prefetch.wasted.total)}
            </text>
            <title>{prefetchSummary(prefetch)}</title>
          </g>
        )}
      </svg>
      <div className={styles.detail} data-testid="tier-detail">
        {detail}
      </div>
      <table className={styles.table} aria-label="evictions by reason">
        <thead>
          <tr>
            <th>evictions</th>
            {EVICTION_REASON_VALUES.map((r) => (
              <th key={r}>{r}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {model.tiers.map((t) => (
            <tr key={t.tier} data-evictions={t.tier}>
              <td>{NODE_LABEL[t.tier]}</td>
              {EVICTION_REASON_VALUES.map((r) => (
                <td key={r} data-reason={r}>
                  {amountText(t.evictions[r])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {prefetch && (
        <table className={styles.table} aria-label="prefetch into L1">
          <thead>
            <tr>
              <th>prefetch into L1</th>
              <th>hints</th>
              <th>issued</th>
              <th>used</th>
              <th>wasted</th>
              <th>precision</th>
              <th>dropped: rate limit</th>
              <th>dropped: other</th>
            </tr>
          </thead>
          <tbody>
            <tr data-prefetch-row="l1">
              <td>{NODE_LABEL.prefetch}</td>
              <td data-prefetch="hints">{amountText(prefetch.hints)}</td>
              <td data-prefetch="issued">{amountText(prefetch.issued)}</td>
              <td data-prefetch="used">{amountText(prefetch.used)}</td>
              <td data-prefetch="wasted">{amountText(prefetch.wasted)}</td>
              <td data-prefetch="precision">{precisionText(prefetch)}</td>
              <td data-prefetch="rate_limit">{amountText(prefetch.dropped.rate_limit)}</td>
              <td data-prefetch="dropped_other">{amountText(droppedOther(prefetch))}</td>
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ color: theme.colors.text.primary, overflow: 'auto', height: '100%' }),
  header: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  node: css({ fill: theme.colors.background.secondary, stroke: theme.colors.border.strong, strokeWidth: 1 }),
  nodeTitle: css({
    fill: theme.colors.text.primary,
    fontWeight: theme.typography.fontWeightMedium,
    fontSize: 13,
  }),
  nodeText: css({ fill: theme.colors.text.secondary, fontSize: 11 }),
  edgeText: css({ fill: theme.colors.text.primary, fontSize: 10 }),
  detail: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    minHeight: 18,
  }),
  table: css({
    fontSize: theme.typography.bodySmall.fontSize,
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.25, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
    },
  }),
});

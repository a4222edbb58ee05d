import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { decimate, maxOf, type Polyline } from '../transforms/decimate.js';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
  /** area: filled down to `base` (or 0); line: a stroke. */
  readonly kind: 'area' | 'line';
  readonly base?: readonly (number | null)[];
  /** What hover shows, when it is not what is drawn (e.g. a stacked series shows its own value). */
  readonly shown?: readonly (number | null)[];
  /** Dashes cost a lot on long, noisy paths: use for lines with few points (e.g. a constant capacity). */
  readonly dashed?: boolean;
  /** A thin, translucent line (a secondary measure, e.g. a rate on the right axis). */
  readonly thin?: boolean;
  /** Plot against the right-hand axis. */
  readonly right?: boolean;
}

export interface ChartMark {
  readonly time: number;
  readonly timeEnd?: number;
  readonly label: string;
  readonly color: string;
}

/** One plot area of the chart; panes are stacked and share the time axis, the marks and the cursor. */
export interface ChartPane {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly height: number;
  readonly format?: (v: number) => string;
  readonly rightFormat?: (v: number) => string;
}

export interface TimeChartProps {
  readonly times: readonly number[];
  readonly panes: readonly ChartPane[];
  readonly marks?: readonly ChartMark[];
  readonly width: number;
  readonly testId?: string;
}

const PAD = { left: 44, right: 44, top: 18, bottom: 18 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}

const defaultFormat = (v: number) => v.toFixed(0);
const timeFmt = (t: number) => new Date(t).toISOString().slice(11, 19);

interface PaneLayout {
  readonly pane: ChartPane;
  /** Top of the pane in the chart. */
  readonly top: number;
  readonly plotH: number;
  readonly leftMax: number;
  readonly rightMax: number;
  readonly hasRight: boolean;
  readonly left: (v: number) => number;
  readonly right: (v: number) => number;
  readonly zeroY: number;
  readonly drawn: readonly {
    series: ChartSeries;
    top: Polyline;
    base: Polyline | undefined;
  }[];
}

/** Draws every pane's grid and series on one 2D canvas (device-pixel sharp); nothing without a context (jsdom). */
function draw(
  canvas: HTMLCanvasElement,
  layout: readonly PaneLayout[],
  width: number,
  height: number,
  plotW: number,
  gridColor: string,
) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = gridColor;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const p of layout) {
    for (const f of [0, 0.5, 1]) {
      const gy = Math.round(p.left(p.leftMax * f)) + 0.5;
      ctx.moveTo(PAD.left, gy);
      ctx.lineTo(PAD.left + plotW, gy);
    }
  }
  ctx.stroke();
  for (const p of layout) {
    for (const { series: s, top, base } of p.drawn) {
      if (top.length === 0) continue;
      const y = s.right ? p.right : p.left;
      ctx.beginPath();
      ctx.moveTo(PAD.left + top.xs[0]!, y(top.ys[0]!));
      for (let i = 1; i < top.length; i++) ctx.lineTo(PAD.left + top.xs[i]!, y(top.ys[i]!));
      if (s.kind === 'area') {
        // filled without an outline: the fill's edge is the line (a second pass over the points costs raster time)
        if (base && base.length > 0) {
          for (let i = base.length - 1; i >= 0; i--) ctx.lineTo(PAD.left + base.xs[i]!, y(base.ys[i]!));
        } else {
          ctx.lineTo(PAD.left + top.xs[top.length - 1]!, p.zeroY);
          ctx.lineTo(PAD.left + top.xs[0]!, p.zeroY);
        }
        ctx.closePath();
        ctx.globalAlpha = 0.6;
        ctx.fillStyle = s.color;
        ctx.fill();
      } else {
        ctx.setLineDash(s.dashed ? [5, 3] : []);
        ctx.lineWidth = s.thin ? 1 : 1.5;
        ctx.globalAlpha = s.thin ? 0.7 : 1;
        ctx.strokeStyle = s.color;
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.globalAlpha = 1;
    }
  }
}

/**
 * A time chart whose cost depends on its width, not on the samples: every series is decimated to at most two
 * points per pixel column and drawn on one canvas for all panes; titles, axes, marks and the hover cursor are an
 * SVG layer on top. Hover shows every series' value at the nearest sample.
 */
export function TimeChart({ times, panes, marks = [], width, testId }: TimeChartProps) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | undefined>(undefined);
  const plotW = Math.max(1, width - PAD.left - PAD.right);
  const height = panes.reduce((h, p) => h + p.height, 0);
  const from = times[0] ?? 0;
  const to = times[times.length - 1] ?? 1;
  const x = (t: number) => PAD.left + ((t - from) / (to - from || 1)) * plotW;

  const layout = useMemo<PaneLayout[]>(() => {
    let top = 0;
    return panes.map((pane) => {
      const plotH = Math.max(1, pane.height - PAD.top - PAD.bottom);
      const leftMax = niceMax(maxOf(...pane.series.filter((s) => !s.right).map((s) => s.values)));
      const rightMax = niceMax(maxOf(...pane.series.filter((s) => s.right).map((s) => s.values)));
      const y0 = top + PAD.top + plotH;
      const l: PaneLayout = {
        pane,
        top,
        plotH,
        leftMax,
        rightMax,
        hasRight: pane.series.some((s) => s.right),
        left: (v) => y0 - (v / leftMax) * plotH,
        right: (v) => y0 - (v / rightMax) * plotH,
        zeroY: y0,
        drawn: pane.series.map((s) => ({
          series: s,
          top: decimate(times, s.values, from, to, plotW, s.kind === 'area' ? 'max' : 'minmax'),
          base: s.kind === 'area' && s.base ? decimate(times, s.base, from, to, plotW, 'max') : undefined,
        })),
      };
      top += pane.height;
      return l;
    });
  }, [panes, times, from, to, plotW]);

  useLayoutEffect(() => {
    if (canvasRef.current) draw(canvasRef.current, layout, width, height, plotW, theme.colors.border.weak);
  });
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;

  const onMove = (e: React.MouseEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const t = from + ((e.clientX - rect.left - PAD.left) / plotW) * (to - from);
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && Math.abs(times[lo - 1]! - t) < Math.abs(times[lo]! - t)) lo--;
    setHover(times.length > 0 ? lo : undefined);
  };

  return (
    <div className={styles.wrap} data-testid={testId} style={{ width, height }}>
      <canvas
        ref={canvasRef}
        width={Math.round(width * dpr)}
        height={Math.round(height * dpr)}
        style={{ width, height }}
        className={styles.layer}
        data-points={layout
          .flatMap((p) => p.drawn)
          .map((d) => `${d.series.label}=${d.top.length}`)
          .join(';')}
      />
      <svg
        width={width}
        height={height}
        className={styles.layer}
        role="img"
        aria-label={panes.map((p) => p.title).join('; ')}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(undefined)}
      >
        {layout.map((p) => {
          const format = p.pane.format ?? defaultFormat;
          const rightFormat = p.pane.rightFormat ?? format;
          return (
            <g key={p.pane.title} data-pane={p.pane.title}>
              <text x={PAD.left} y={p.top + 12} className={styles.title}>
                {p.pane.title}
              </text>
              {[0, 0.5, 1].map((f) => (
                <g key={f}>
                  <text
                    x={PAD.left - 4}
                    y={p.left(p.leftMax * f) + 4}
                    textAnchor="end"
                    className={styles.axis}
                  >
                    {format(p.leftMax * f)}
                  </text>
                  {p.hasRight && (
                    <text x={PAD.left + plotW + 4} y={p.right(p.rightMax * f) + 4} className={styles.axis}>
                      {rightFormat(p.rightMax * f)}
                    </text>
                  )}
                </g>
              ))}
              <text x={PAD.left} y={p.top + p.pane.height - 4} className={styles.axis}>
                {timeFmt(from)}
              </text>
              <text
                x={PAD.left + plotW}
                y={p.top + p.pane.height - 4}
                textAnchor="end"
                className={styles.axis}
              >
                {timeFmt(to)}
              </text>
              {marks.map((m) =>
                m.timeEnd !== undefined ? (
                  <rect
                    key={`${m.time}-${m.label}`}
                    x={x(m.time)}
                    width={Math.max(1, x(m.timeEnd) - x(m.time))}
                    y={p.top + PAD.top}
                    height={p.plotH}
                    fill={m.color}
                    fillOpacity={0.15}
                    data-mark={m.label}
                  >
                    <title>{m.label}</title>
                  </rect>
                ) : (
                  <g key={`${m.time}-${m.label}`} data-mark={m.label}>
                    <line
                      x1={x(m.time)}
                      x2={x(m.time)}
                      y1={p.top + PAD.top}
                      y2={p.top + PAD.top + p.plotH}
                      stroke={m.color}
                      strokeDasharray="2 2"
                    />
                    <title>{m.label}</title>
                  </g>
                ),
              )}
              {hover !== undefined && (
                <line
                  x1={x(times[hover]!)}
                  x2={x(times[hover]!)}
                  y1={p.top + PAD.top}
                  y2={p.top + PAD.top + p.plotH}
                  className={styles.cursor}
                />
              )}
            </g>
          );
        })}
      </svg>
      {hover !== undefined && (
        <div
          className={styles.tooltip}
          style={{ left: Math.min(x(times[hover]!) + 8, width - 190) }}
          role="tooltip"
        >
          <div>{timeFmt(times[hover]!)}</div>
          {layout.flatMap((p) =>
            p.pane.series.map((s) => {
              const v = (s.shown ?? s.values)[hover];
              const format = (s.right ? p.pane.rightFormat : undefined) ?? p.pane.format ?? defaultFormat;
              return (
                <div key={s.label}>
                  <span style={{ color: s.color }}>■</span> {s.label}: {v == null ? '–' : format(v)}
                </div>
              );
            }),
          )}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ position: 'relative' }),
  layer: css({ position: 'absolute', top: 0, left: 0 }),
  title: css({ fill: theme.colors.text.primary, fontSize: theme.typography.bodySmall.fontSize }),
  axis: css({ fill: theme.colors.text.secondary, fontSize: 10 }),
  cursor: css({ stroke: theme.colors.text.secondary, strokeWidth: 1 }),
  tooltip: css({
    position: 'absolute',
    top: 20,
    padding: theme.spacing(0.5, 1),
    background: theme.colors.background.elevated ?? theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.medium}`,
    color: theme.colors.text.primary,
    fontSize: theme.typography.bodySmall.fontSize,
    pointerEvents: 'none',
    whiteSpace: 'nowrap',
  }),
});

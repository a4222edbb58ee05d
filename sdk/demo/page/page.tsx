// The host page: what Grafana would be for a panel plugin. Loads the plugin's BUILT dist/module.js through SystemJS
// (AMD extra) with Grafana's shared modules, and renders its panel with real PanelProps: frames from Prometheus
// (query_range) or a JSON API, the plugin's default options, a time range, field config and a light or dark theme.
// Also renders Grafana's own TimeSeries on the same frames, to compare render cost.
import {
  createDataFrame,
  createTheme,
  type DataFrame,
  FieldType,
  type GrafanaTheme2,
  ThemeContext,
  toDataFrame,
} from '@grafana/data';
import { TimeSeries } from '@grafana/ui';
import { type ComponentType, StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type { HostApi, RenderCostRequest, RenderRequest, Source } from '../src/grafana-host/host-api.js';
import { timeRange, withFieldDisplay } from './panel-props.js';
import { type AnyPanelProps, Chrome, loadPlugin, panelOf } from './plugin-host.js';
import { queryRangeFrames } from './prometheus-frames.js';

let root: Root | undefined;

async function framesOf(source: Source): Promise<DataFrame[]> {
  if (source.kind === 'frames') return source.frames;
  if (source.kind === 'prometheus') {
    throw new Error('prometheus sources need a time range: use framesFor');
  }
  const res = await fetch(source.url);
  if (!res.ok) throw new Error(`GET ${source.url} failed (${res.status})`);
  return [toDataFrame(await res.json())];
}

async function framesFor(req: RenderRequest): Promise<DataFrame[]> {
  const s = req.source;
  if (s.kind === 'prometheus') return queryRangeFrames(s.url, s.queries, req.from, req.to, s.stepSeconds);
  return framesOf(s);
}

function annotationFrames(req: RenderRequest): DataFrame[] {
  const a = req.annotations ?? [];
  if (a.length === 0) return [];
  return [
    createDataFrame({
      name: 'annotations',
      fields: [
        { name: 'time', type: FieldType.time, values: a.map((x) => x.time) },
        { name: 'timeEnd', type: FieldType.time, values: a.map((x) => x.timeEnd ?? null) },
        { name: 'text', type: FieldType.string, values: a.map((x) => x.text) },
      ],
    }),
  ];
}

function mount(node: React.ReactNode, theme: GrafanaTheme2): void {
  document.body.style.background = theme.colors.background.canvas;
  unmount();
  const el = document.getElementById('root')!;
  root = createRoot(el);
  flushSync(() => root!.render(<StrictMode>{node}</StrictMode>));
}

/** Renders the plugin's panel; resolves once React has committed. */
async function renderPanel(
  req: RenderRequest,
): Promise<{ frames: number; options: Record<string, unknown> }> {
  const plugin = await loadPlugin(req.moduleUrl);
  const frames = await framesFor(req);
  const theme = createTheme({ colors: { mode: req.theme } });
  const { Panel, props } = panelOf(plugin, req.options ?? {}, {
    frames,
    annotations: annotationFrames(req),
    from: req.from,
    to: req.to,
    width: req.width,
    height: req.height,
    theme,
    title: req.title,
  });
  mount(
    <Chrome theme={theme} title={req.title} width={req.width}>
      <div style={{ width: req.width, height: req.height }}>
        <Panel {...props} />
      </div>
    </Chrome>,
    theme,
  );
  return { frames: frames.length, options: props.options };
}

const nextFrame = () =>
  new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

let costSetup:
  | {
      theme: GrafanaTheme2;
      frames: DataFrame[];
      props: AnyPanelProps;
      Panel: ComponentType<AnyPanelProps>;
      range: ReturnType<typeof timeRange>;
      req: RenderCostRequest;
    }
  | undefined;

/**
 * Prepares a render-cost comparison: the same frames (field overrides applied once, as Grafana's query runner
 * does) for the OmniCache ARC view and for Grafana's TimeSeries, dark theme.
 */
async function prepareRenderCost(req: RenderCostRequest): Promise<void> {
  const plugin = await loadPlugin(req.moduleUrl);
  const theme = createTheme({ colors: { mode: 'dark' } });
  const fieldConfig = { defaults: { color: { mode: 'palette-classic' } }, overrides: [] };
  const frames = withFieldDisplay(req.frames, theme, fieldConfig);
  const { Panel, props } = panelOf(
    plugin,
    { view: 'arc' },
    { frames: req.frames, from: req.from, to: req.to, width: req.width, height: req.height, theme },
  );
  costSetup = { theme, frames, props, Panel, range: timeRange(req.from, req.to), req };
  unmount();
}

function unmount(): void {
  root?.unmount();
  root = undefined;
}

/**
 * Mounts one of the two components prepared by prepareRenderCost: milliseconds until React's synchronous commit
 * returned, and until two animation frames later (layout, paint).
 */
async function mountForCost(
  which: 'omnicache' | 'timeseries',
): Promise<{ commitMs: number; paintMs: number }> {
  const s = costSetup;
  if (!s) throw new Error('call prepareRenderCost first');
  unmount();
  await nextFrame();
  const t0 = performance.now();
  mount(
    <ThemeContext.Provider value={s.theme}>
      {which === 'omnicache' ? (
        <s.Panel {...s.props} />
      ) : (
        <TimeSeries
          frames={s.frames}
          width={s.req.width}
          height={s.req.height}
          timeRange={s.range}
          timeZone="utc"
          legend={{ showLegend: true, displayMode: 'list' as never, placement: 'bottom', calcs: [] }}
        />
      )}
    </ThemeContext.Provider>,
    s.theme,
  );
  const commitMs = performance.now() - t0;
  await nextFrame();
  return { commitMs, paintMs: performance.now() - t0 };
}

function seriesFrame(
  name: string,
  labels: Record<string, string>,
  times: number[],
  values: number[],
): DataFrame {
  return createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: times },
      { name: 'Value', type: FieldType.number, values, labels: { __name__: name, ...labels } },
    ],
  });
}

const api: HostApi = { renderPanel, prepareRenderCost, mountForCost, unmount, seriesFrame, ready: true };
window.omnicacheHost = api;

// The demo's live page: the OmniCache panel's three views side by side, refreshed every couple of seconds from the
// demo's own data source (/api/frames: the metrics history sampled in process; /api/audit: the audit log's recent
// records), the way a Grafana dashboard with the provisioned panels would show them.
import {
  createTheme,
  type DataFrame,
  type DataFrameJSON,
  dataFrameFromJSON,
  type PanelPlugin,
  toDataFrame,
} from '@grafana/data';
import { RadioButtonGroup } from '@grafana/ui';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { LiveConfig } from '../src/live-page.js';
import { Chrome, loadPlugin, panelOf } from './plugin-host.js';

type View = 'arc' | 'tiers' | 'audit';
const TITLES: Record<View, string> = { arc: 'ARC adaptation', tiers: 'Tier movement', audit: 'Audit events' };

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} failed (${res.status}): ${await res.text()}`);
  return (await res.json()) as T;
}

interface Snapshot {
  from: number;
  to: number;
  frames: Record<View, DataFrame[]>;
  refreshes: number;
}

async function snapshot(config: LiveConfig, cache: string, refreshes: number): Promise<Snapshot> {
  const to = Date.now();
  const from = Math.max(config.startedAt, to - config.rangeMs);
  const q = (view: string) =>
    `/api/frames?view=${view}&cache=${encodeURIComponent(cache)}&from=${from}&to=${to}`;
  const [arc, tiers, audit] = await Promise.all([
    getJson<DataFrameJSON[]>(q('arc')),
    getJson<DataFrameJSON[]>(q('tiers')),
    getJson<Record<string, unknown>[]>('/api/audit'),
  ]);
  return {
    from,
    to,
    refreshes,
    frames: {
      arc: arc.map((f) => dataFrameFromJSON(f)),
      tiers: tiers.map((f) => dataFrameFromJSON(f)),
      audit: [toDataFrame(audit)],
    },
  };
}

const theme = createTheme({ colors: { mode: 'dark' } });

function ViewPanel({
  plugin,
  view,
  snap,
  width,
  height,
}: {
  plugin: PanelPlugin;
  view: View;
  snap: Snapshot;
  width: number;
  height: number;
}) {
  const { Panel, props } = panelOf(
    plugin,
    { view },
    { frames: snap.frames[view], from: snap.from, to: snap.to, width, height, theme, title: TITLES[view] },
  );
  return (
    <div data-view={view}>
      <Chrome theme={theme} title={TITLES[view]} width={width}>
        <div style={{ width, height }}>
          <Panel {...props} />
        </div>
      </Chrome>
    </div>
  );
}

function Dashboard({ config, plugin }: { config: LiveConfig; plugin: PanelPlugin }) {
  const [cache, setCache] = useState(config.cache);
  const [snap, setSnap] = useState<Snapshot | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [width, setWidth] = useState(window.innerWidth);
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  useEffect(() => {
    let stopped = false;
    let refreshes = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const s = await snapshot(config, cache, ++refreshes);
        if (stopped) return;
        setSnap(s);
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(String((e as Error).message ?? e));
      }
      if (!stopped) timer = setTimeout(tick, config.refreshMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [config, cache]);
  // Each panel's chrome adds 16 px padding, 16 px margin and a 2 px border to its width; the page pads 8 px.
  const chrome = 34;
  const half = Math.max(420, Math.floor((width - 16 - 2 * chrome) / 2));
  const text = theme.colors.text;
  return (
    <div
      data-testid="live-dashboard"
      data-refreshes={snap?.refreshes ?? 0}
      style={{ color: text.primary, fontFamily: theme.typography.fontFamily, padding: 8 }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 16, margin: '0 8px 4px' }}>
        <h2 style={{ margin: 0, fontSize: 18 }}>OmniCache demo — live</h2>
        <RadioButtonGroup
          options={config.caches.map((c) => ({ label: c, value: c }))}
          value={cache}
          onChange={(v) => setCache(v)}
        />
        <span data-testid="live-updated" style={{ color: text.secondary }}>
          {snap === undefined
            ? 'loading…'
            : `updated ${new Date(snap.to).toLocaleTimeString()} · refresh every ${config.refreshMs / 1000} s`}
        </span>
        {error !== undefined && (
          <span data-testid="live-error" style={{ color: theme.colors.error.text }}>
            {error}
          </span>
        )}
      </div>
      {snap !== undefined && (
        <>
          <div style={{ display: 'flex', flexWrap: 'wrap' }}>
            <ViewPanel plugin={plugin} view="arc" snap={snap} width={half} height={430} />
            <ViewPanel plugin={plugin} view="tiers" snap={snap} width={half} height={430} />
          </div>
          <ViewPanel plugin={plugin} view="audit" snap={snap} width={2 * half + chrome} height={420} />
        </>
      )}
    </div>
  );
}

async function main(): Promise<void> {
  document.body.style.background = theme.colors.background.canvas;
  const config = await getJson<LiveConfig>('/api/live');
  const plugin = await loadPlugin(config.moduleUrl);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Dashboard config={config} plugin={plugin} />
    </StrictMode>,
  );
}

main().catch((error: unknown) => {
  document.body.textContent = `The demo page failed to start: ${String((error as Error).message ?? error)}`;
});

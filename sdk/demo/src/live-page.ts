/**
 * The demo's local web page: the Grafana panel's three views (ARC adaptation, tier movement, audit events) on the
 * live demo data, without Grafana or Prometheus. The panel plugin's built module.js is loaded by the host page
 * (sdk/demo/page: Grafana's shared modules in SystemJS, real @grafana/ui); its frames come from the demo's own
 * metrics history (sampled in process) and its audit records from the demo's audit log, over a small JSON API.
 */
import type { Cache } from 'omnicache';
import { buildPanelPlugin } from './grafana-host/plugin-bundle.js';
import { type GrafanaHostHandle, startGrafanaHost } from './grafana-host/server.js';
import { MetricsHistory } from './panel-data/metrics-history.js';
import type { RecentAuditRecords } from './panel-data/recent-audit.js';
import { isMetricsView, VIEW_METRICS, viewFrames } from './panel-data/view-frames.js';

/** What the live page asks for first (`/api/live`). */
export interface LiveConfig {
  moduleUrl: string;
  /** The cache the metrics views show first, and every cache with history. */
  cache: string;
  caches: string[];
  /** Time range shown (ms back from now) and the page's refresh interval. */
  rangeMs: number;
  refreshMs: number;
  startedAt: number;
}

export interface LivePageOptions {
  /** Caches with a metrics history; the first is shown first. */
  caches: readonly Cache[];
  audit: RecentAuditRecords;
  port?: number;
  /** Sampling interval of the history (default 1 s). */
  sampleMs?: number;
  /** Range shown (default 5 min) and page refresh (default 2 s). */
  rangeMs?: number;
  refreshMs?: number;
}

export interface LivePage {
  readonly url: string;
  readonly history: MetricsHistory;
  stop(): Promise<void>;
}

const number = (v: string | null, name: string): number => {
  const n = Number(v);
  if (v === null || !Number.isFinite(n))
    throw new Error(`query parameter ${name} must be epoch milliseconds`);
  return n;
};

/** Starts sampling at once (so the history has filled by the time the page is open), then builds and serves the page. */
export async function startLivePage(options: LivePageOptions): Promise<LivePage> {
  const sampleMs = options.sampleMs ?? 1000;
  const rangeMs = options.rangeMs ?? 5 * 60_000;
  const history = new MetricsHistory({
    metrics: [...VIEW_METRICS.arc, ...VIEW_METRICS.tiers],
    intervalMs: sampleMs,
    samples: Math.ceil(rangeMs / sampleMs) + 1,
  });
  for (const c of options.caches) history.add(c);
  history.start();
  const names = options.caches.map((c) => c.name);
  const startedAt = Date.now();
  let host: GrafanaHostHandle | undefined;
  try {
    const pluginDist = await buildPanelPlugin();
    host = await startGrafanaHost({
      pluginDist,
      index: 'live',
      ...(options.port === undefined ? {} : { port: options.port }),
      api: {
        live: (): LiveConfig => ({
          moduleUrl: `${host!.url}/plugin/module.js`,
          cache: names[0] ?? '',
          caches: names,
          rangeMs,
          refreshMs: options.refreshMs ?? 2000,
          startedAt,
        }),
        frames: (url) => {
          const view = url.searchParams.get('view');
          if (!isMetricsView(view)) throw new Error('query parameter view must be arc or tiers');
          const cache = url.searchParams.get('cache') ?? '';
          if (!names.includes(cache)) throw new Error(`unknown cache "${cache}"; one of ${names.join(', ')}`);
          return viewFrames(
            history,
            view,
            cache,
            number(url.searchParams.get('from'), 'from'),
            number(url.searchParams.get('to'), 'to'),
          );
        },
        audit: () => options.audit.panelRecords(),
      },
    });
  } catch (error) {
    await history.stop();
    throw error;
  }
  const h = host;
  return {
    url: h.url,
    history,
    async stop() {
      await h.stop();
      await history.stop();
    },
  };
}

// The anomaly service end to end against real servers: a real cache exports its metrics (startTelemetry's
// Prometheus endpoint), a real Prometheus scrapes them every 500 ms, the service back-fills with query_range and then
// evaluates every 500 ms, and posts to a real Alertmanager. A steady workload raises nothing for 200 evaluations; a
// scan that collapses the hit ratio raises OmniCacheAnomalyHitRatio within two evaluations; it resolves after recovery.
import { AnomalyService, parseConfig, type ServiceServer, serve } from '@omnicache/anomaly';
import { type Cache, createCache, startTelemetry, type Telemetry } from 'omnicache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertmanagerHandle,
  freePort,
  type PrometheusHandle,
  startAlertmanager,
  startPrometheus,
} from '../services/index.js';

const INTERVAL_MS = 500;
const CACHE = 'anomaly-e2e';

interface AmAlertView {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

async function activeAlerts(am: AlertmanagerHandle): Promise<AmAlertView[]> {
  const res = await fetch(`${am.url}/api/v2/alerts?active=true&silenced=false&inhibited=false`);
  return ((await res.json()) as AmAlertView[]).filter(
    (a) => a.labels.omnicache_anomaly_series === 'hit_ratio',
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('anomaly service against Prometheus and Alertmanager', () => {
  let prometheus: PrometheusHandle;
  let alertmanager: AlertmanagerHandle;
  let telemetry: Telemetry;
  let cache: Cache;
  let service: AnomalyService;
  let server: ServiceServer;
  let workload: { stop: boolean; scan: boolean; done: Promise<void> };

  beforeAll(async () => {
    const port = await freePort();
    telemetry = await startTelemetry({
      serviceName: 'anomaly-e2e',
      prometheus: { port, host: '127.0.0.1' },
      otlp: false,
    });
    cache = createCache({ name: CACHE, l1: { capacity: 200, policy: 'arc' }, defaults: { ttl: 600_000 } });
    telemetry.instrument(cache);
    prometheus = await startPrometheus({
      config: `global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\nscrape_configs:\n  - job_name: omnicache-sdk\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    });
    alertmanager = await startAlertmanager();
    // Steady workload: a hot set of 100 keys (fits l1), ~500 lookups/s. During a scan: unique keys (all misses).
    workload = { stop: false, scan: false, done: Promise.resolve() };
    const w = workload;
    w.done = (async () => {
      let i = 0;
      let unique = 0;
      while (!w.stop) {
        for (let j = 0; j < 10; j++) {
          const key = w.scan ? `scan-${unique++}` : `hot-${i++ % 100}`;
          await cache.getOrSet(key, async () => key);
        }
        await sleep(20);
      }
    })();
  });

  afterAll(async () => {
    if (workload) {
      workload.stop = true;
      await workload.done;
    }
    await service?.stop();
    await server?.close();
    await telemetry?.shutdown();
    await cache?.close();
    await prometheus?.stop();
    await alertmanager?.stop();
  });

  it('back-fills, stays quiet on a steady run, alerts on a hit-ratio collapse and resolves after recovery', async () => {
    // Let Prometheus collect some history for the back-fill.
    await sleep(20_000);
    service = new AnomalyService(
      parseConfig({
        prometheus: { url: prometheus.url, timeout: '2s' },
        alertmanager: { url: alertmanager.url },
        evaluationInterval: INTERVAL_MS,
        backfill: '1h',
        rateWindow: '5s',
        listen: { port: 0 },
        tfjs: { enabled: false },
        alerting: { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 },
        series: [{ name: 'hit_ratio', preset: 'hit_ratio' }],
      }),
    );
    server = await serve(service, '127.0.0.1', 0);
    const backfilled = await service.backfill();
    expect(backfilled).toBeGreaterThan(20);

    const evaluate = async () => {
      const started = Date.now();
      const r = await service.evaluate(started);
      await sleep(Math.max(0, INTERVAL_MS - (Date.now() - started)));
      return r;
    };

    // Steady: 200 evaluation windows, no alert.
    let steadyScored = 0;
    for (let i = 0; i < 200; i++) {
      const r = await evaluate();
      expect(r.queryErrors).toBe(0);
      const score = service.series()[0]?.lastScore;
      expect(r.fired, `false alert at steady evaluation ${i}: ${JSON.stringify(score)}`).toEqual([]);
      steadyScored += r.scored;
    }
    expect(steadyScored).toBeGreaterThan(150);
    expect(await activeAlerts(alertmanager)).toEqual([]);

    // Fault: a scan collapses the hit ratio. The alert must fire within two evaluation windows.
    workload.scan = true;
    const faultStart = Date.now();
    let firedAfter = -1;
    for (let i = 0; i < 2 + 12 && firedAfter < 0; i++) {
      const r = await evaluate();
      if (r.fired.length > 0) firedAfter = i + 1;
    }
    const delayMs = Date.now() - faultStart;
    console.info(`[anomaly e2e] hit-ratio alert fired after ${firedAfter} evaluation(s), ${delayMs} ms`);
    expect(firedAfter).toBeGreaterThan(0);
    expect(firedAfter).toBeLessThanOrEqual(2);

    // The alert is in Alertmanager with its labels, score and runbook.
    const [alert] = await activeAlerts(alertmanager);
    expect(alert?.labels.alertname).toBe('OmniCacheAnomalyHitRatio');
    expect(alert?.labels.omnicache_cache_name).toBe(CACHE);
    expect(Number(alert?.annotations.score)).toBeGreaterThanOrEqual(0.5);
    expect(alert?.annotations.runbook_url).toMatch(/docs\/runbooks\/OmniCacheAnomalyHitRatio\.md$/);

    // The service's own metrics and annotations show it.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/omnicache_anomaly_alerts_firing 1/);
    expect(metrics).toMatch(
      /^omnicache_anomaly_score_ratio\{.*omnicache_anomaly_detector="ensemble".*\} [0-9.e-]+$/m,
    );
    const annotations = (await (await fetch(`${server.url}/api/annotations`)).json()) as { state: string }[];
    expect(annotations.map((a) => a.state)).toEqual(['firing']);

    // Recovery: back to the hot set; the alert resolves (and stays resolved: no flapping).
    workload.scan = false;
    let resolvedAfter = -1;
    for (let i = 0; i < 240 && resolvedAfter < 0; i++) {
      const r = await evaluate();
      expect(r.fired).toEqual([]);
      if (r.resolved.length > 0) resolvedAfter = i + 1;
    }
    console.info(`[anomaly e2e] resolved ${resolvedAfter} evaluation(s) after recovery`);
    expect(resolvedAfter).toBeGreaterThan(0);
    expect(await activeAlerts(alertmanager)).toEqual([]);
    const after = (await (await fetch(`${server.url}/api/annotations`)).json()) as {
      state: string;
      timeEnd?: number;
    }[];
    expect(after[0]?.state).toBe('resolved');
    expect(after[0]?.timeEnd).toBeGreaterThan(0);
  }, 420_000);
});

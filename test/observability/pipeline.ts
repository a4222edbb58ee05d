// The observability pipeline of a test run, from the repository's own configuration: Prometheus (rules, file_sd
// targets), Alertmanager (webhooks to a local receiver), the collector (otelcol.yaml, remote write into Prometheus),
// and an OTLP MeterProvider for the SDK side. One start(), one stop().
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  type AlertmanagerHandle,
  type CollectorHandle,
  collectorEnv,
  freePort,
  type PrometheusHandle,
  startAlertmanager,
  startCollector,
  startPrometheus,
} from '../services/index.js';
import { otelcolConfig, renderAlertmanager, renderPrometheus } from './configs.js';

export interface WebhookCall {
  path: string;
  body: { status: string; alerts: { status: string; labels: Record<string, string> }[] };
}

export interface Pipeline {
  prometheus: PrometheusHandle;
  alertmanager: AlertmanagerHandle;
  collector: CollectorHandle;
  meterProvider: MeterProvider;
  /** Alertmanager webhook deliveries, in arrival order. */
  webhooks: WebhookCall[];
  /** Prometheus evaluation (and scrape) interval, seconds. */
  intervalSeconds: number;
  /** The collector's OTLP/HTTP base URL (http://127.0.0.1:PORT). */
  otlpHttpUrl: string;
  exportIntervalMs: number;
  /** Instant query; the vector's samples. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  serviceName: string;
  /** SDK /metrics endpoints (host:port) for Prometheus to scrape as job omnicache-sdk. */
  sdkTargets?: readonly string[];
  intervalSeconds?: number;
  exportIntervalMs?: number;
}

async function startWebhookReceiver(calls: WebhookCall[]): Promise<Server> {
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => {
      data += c.toString();
    });
    req.on('end', () => {
      try {
        calls.push({ path: req.url ?? '', body: JSON.parse(data) as WebhookCall['body'] });
      } catch {
        // ignore malformed bodies
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const intervalSeconds = opts.intervalSeconds ?? 1;
  const exportIntervalMs = opts.exportIntervalMs ?? 1000;
  const webhooks: WebhookCall[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const hook = await startWebhookReceiver(webhooks);
    stops.push(() => new Promise<void>((r) => hook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    const alertmanager = await startAlertmanager({
      config: renderAlertmanager({ critical: `${hookUrl}/critical`, warning: `${hookUrl}/warning` }),
    });
    stops.push(() => alertmanager.stop());
    const { config, files } = renderPrometheus(
      { alertmanager: [`127.0.0.1:${alertmanager.port}`], sdk: opts.sdkTargets ?? [] },
      intervalSeconds,
    );
    const prometheus = await startPrometheus({ config, files });
    stops.push(() => prometheus.stop());
    const ports = {
      otlpGrpc: await freePort(),
      otlpHttp: await freePort(),
      prometheus: await freePort(),
      health: await freePort(),
    };
    const collector = await startCollector({
      config: otelcolConfig(),
      env: { ...collectorEnv(ports, prometheus.remoteWriteUrl), OMNICACHE_BATCH_TIMEOUT: '200ms' },
      healthCheckUrl: `http://127.0.0.1:${ports.health}/`,
    });
    stops.push(() => collector.stop());
    const meterProvider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': opts.serviceName,
        'service.instance.id': `${process.pid}`,
      }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/metrics` }),
          exportIntervalMillis: exportIntervalMs,
        }),
      ],
    });
    stops.push(() => meterProvider.shutdown());
    const query = async (expr: string) => {
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`prometheus query ${expr} failed: ${body.error}`);
      return body.data.result;
    };
    return {
      prometheus,
      alertmanager,
      collector,
      meterProvider,
      webhooks,
      intervalSeconds,
      otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`,
      exportIntervalMs,
      query,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls `check` until it returns a value other than undefined, or throws with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

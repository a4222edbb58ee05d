import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type { Cache } from '../cache.js';
import { ConfigError } from '../errors.js';
import { freePort } from './free-port.js';

import { type CacheInstrumentation, instrument } from './instrument.js';
import {
  BatchSpanProcessor,
  MeterProvider,
  metrics,
  NodeSDK,
  OTLPMetricExporter,
  OTLPTraceExporter,
  PeriodicExportingMetricReader,
  PrometheusExporter,
  resourceFromAttributes,
  trace,
} from './otel-sdk.js';
import { prometheusViews } from './prometheus-views.js';

export interface TelemetryOptions {
  serviceName: string;
  /**
   * Serve Prometheus text on http://host:port/metrics (default host 127.0.0.1, port 9464; 0 picks a free port,
   * see metricsUrl). false: no endpoint.
   */
  prometheus?: { port?: number; host?: string; endpoint?: string } | false;
  /** Export metrics and traces over OTLP/HTTP to `endpoint` (e.g. http://127.0.0.1:4318). false: no OTLP. */
  otlp?: { endpoint: string; exportIntervalMs?: number; headers?: Record<string, string> } | false;
  /** Caches to instrument right away (more can be added with telemetry.instrument). */
  caches?: Cache[];
  /** Opt-in: record keys on spans as HMAC-SHA256 with this secret (never in metrics). */
  keyHmacSecret?: string;
}

export interface Telemetry {
  /** The Prometheus scrape URL, when the endpoint is on. */
  readonly metricsUrl: string | undefined;
  /** The meter providers caches report to (OTLP and/or the Prometheus endpoint), for instruments of your own or omnicache/fastify's. */
  readonly meterProviders: readonly ApiMeterProvider[];
  /** Metrics (on every configured exporter) and traces for one more cache. */
  instrument(cache: Cache): void;
  /** Pushes pending OTLP metrics and spans now. */
  flush(): Promise<void>;
  /** Stops exporting, closes the Prometheus endpoint and detaches from every cache. */
  shutdown(): Promise<void>;
}

/**
 * The one-call setup: NodeSDK with OTLP/HTTP metrics and traces, plus a Prometheus endpoint. The Prometheus
 * endpoint has its own MeterProvider whose views give the same series names the collector produces from
 * OTLP (see prometheus-views.ts); the OTLP path keeps the OpenTelemetry names.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (typeof options.serviceName !== 'string' || options.serviceName.length === 0) {
    throw new ConfigError(
      'startTelemetry needs a serviceName, e.g. startTelemetry({ serviceName: "checkout" })',
    );
  }
  const resource = resourceFromAttributes({ 'service.name': options.serviceName });
  const cleanups: (() => void)[] = [];

  let sdk: NodeSDK | undefined;
  let otlpReader: PeriodicExportingMetricReader | undefined;
  let spans: BatchSpanProcessor | undefined;
  if (options.otlp) {
    const base = options.otlp.endpoint.replace(/\/+$/, '');
    if (!/^https?:\/\//.test(base)) {
      throw new ConfigError(
        `otlp.endpoint must be an http(s) URL such as http://127.0.0.1:4318, got "${base}"`,
      );
    }
    const headers = options.otlp.headers ?? {};
    otlpReader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, headers }),
      exportIntervalMillis: options.otlp.exportIntervalMs ?? 10_000,
    });
    spans = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces`, headers }));
    sdk = new NodeSDK({
      resource,
      autoDetectResources: false,
      metricReaders: [otlpReader],
      spanProcessors: [spans],
      instrumentations: [],
    });
    sdk.start();
  }

  let promProvider: MeterProvider | undefined;
  let metricsUrl: string | undefined;
  if (options.prometheus !== false && options.prometheus !== undefined) {
    const host = options.prometheus.host ?? '127.0.0.1';
    const port = options.prometheus.port === 0 ? await freePort(0, host) : (options.prometheus.port ?? 9464);
    const endpoint = options.prometheus.endpoint ?? '/metrics';
    const exporter = await new Promise<PrometheusExporter>((resolve, reject) => {
      const e: PrometheusExporter = new PrometheusExporter({ host, port, endpoint }, (error) =>
        error
          ? reject(
              new ConfigError(
                `cannot serve Prometheus metrics on ${host}:${port} (${String(error)}); choose another prometheus.port`,
                { cause: error },
              ),
            )
          : resolve(e),
      );
    });
    promProvider = new MeterProvider({ resource, readers: [exporter], views: prometheusViews() });
    metricsUrl = `http://${host}:${port}${endpoint}`;
  }

  const providers: ApiMeterProvider[] = [];
  if (sdk) providers.push(metrics.getMeterProvider());
  if (promProvider) providers.push(promProvider);
  const add = (cache: Cache) => {
    // One instrumentation feeds every meter provider (the cache has a single tracing hook, which carries the
    // remote tier latency histogram and, with OTLP on, the spans).
    const inst: CacheInstrumentation = instrument(cache, {
      meterProvider: providers,
      tracerProvider: sdk ? trace.getTracerProvider() : false,
      ...(options.keyHmacSecret === undefined ? {} : { keyHmacSecret: options.keyHmacSecret }),
    });
    cleanups.push(() => inst.stop());
  };
  for (const cache of options.caches ?? []) add(cache);

  return {
    metricsUrl,
    meterProviders: providers,
    instrument: add,
    async flush() {
      await Promise.all([otlpReader?.forceFlush(), spans?.forceFlush()]);
    },
    async shutdown() {
      for (const c of cleanups.splice(0)) c();
      await Promise.all([sdk?.shutdown(), promProvider?.shutdown()]);
    },
  };
}

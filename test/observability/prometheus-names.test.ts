// End to end through the real components: every metric of the conventions, recorded by the OpenTelemetry JS SDK,
// arrives in Prometheus under exactly the names conventions.prometheusSeriesNames() predicts — both via
// OTLP -> collector (collector-config/otelcol.yaml) -> remote write, and via Prometheus scraping the SDK's own
// /metrics (exporter-prometheus with prometheusViews()).
import type { Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_METRICS,
  ATTR,
  allowedValues,
  INSTRUMENTATION_SCOPE,
  type MetricConvention,
  PROMETHEUS_EXTRA_LABELS,
  prometheusLabel,
  prometheusSeriesNames,
} from '../../sdk/core/src/telemetry/conventions.js';
import { prometheusViews } from '../../sdk/core/src/telemetry/prometheus-views.js';
import {
  type CollectorHandle,
  collectorEnv,
  freePort,
  type PrometheusHandle,
  startCollector,
  startPrometheus,
} from '../services/index.js';
import { otelcolConfig, renderPrometheus } from './configs.js';

const OTLP_JOB = 'omnicache-names-otlp';
const SCRAPE_JOB = 'omnicache-sdk';

function attributesFor(m: MetricConvention): Attributes {
  const out: Attributes = {};
  for (const key of m.attributes)
    out[key] = key === ATTR.cache ? 'names' : (allowedValues(m, key)?.[0] ?? 'x');
  return out;
}

/** Creates every convention instrument on a meter and gives each one value. */
function recordAll(provider: MeterProvider): void {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  for (const m of ALL_METRICS) {
    const opts = { unit: m.unit, description: m.description };
    const a = attributesFor(m);
    if (m.instrument === 'Histogram') {
      const h = meter.createHistogram(m.name, {
        ...opts,
        ...(m.buckets ? { advice: { explicitBucketBoundaries: [...m.buckets] } } : {}),
      });
      h.record(0.003, a);
      h.record(0.7, a);
    } else if (m.instrument === 'ObservableCounter') {
      meter.createObservableCounter(m.name, opts).addCallback((r) => r.observe(3, a));
    } else {
      meter.createObservableGauge(m.name, opts).addCallback((r) => r.observe(2, a));
    }
  }
}

interface Series {
  __name__: string;
  job?: string;
  [label: string]: string | undefined;
}

async function series(prom: PrometheusHandle): Promise<Series[]> {
  const res = await fetch(
    `${prom.url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"omnicache_.+"}')}`,
  );
  const body = (await res.json()) as { data: Series[] };
  return body.data;
}

const expected = new Set(ALL_METRICS.flatMap(prometheusSeriesNames));
const knownLabels = new Set<string>([
  '__name__',
  ...ALL_METRICS.flatMap((m) => m.attributes.map(prometheusLabel)),
  ...PROMETHEUS_EXTRA_LABELS,
  'otel_scope_schema_url',
]);

describe('convention names in Prometheus (collector remote write and SDK scrape)', () => {
  let prom: PrometheusHandle | undefined;
  let collector: CollectorHandle | undefined;
  let otlpProvider: MeterProvider | undefined;
  let scrapeProvider: MeterProvider | undefined;

  beforeAll(async () => {
    const exporterPort = await freePort();
    const { config, files } = renderPrometheus({ sdk: [`127.0.0.1:${exporterPort}`] }, 1);
    prom = await startPrometheus({ config, files });
    const ports = {
      otlpGrpc: await freePort(),
      otlpHttp: await freePort(),
      prometheus: await freePort(),
      health: await freePort(),
    };
    collector = await startCollector({
      config: otelcolConfig(),
      env: { ...collectorEnv(ports, prom.remoteWriteUrl), OMNICACHE_BATCH_TIMEOUT: '200ms' },
      healthCheckUrl: `http://127.0.0.1:${ports.health}/`,
    });
    otlpProvider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': OTLP_JOB, 'service.instance.id': 'otlp-1' }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/metrics` }),
          exportIntervalMillis: 500,
        }),
      ],
    });
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port: exporterPort });
    scrapeProvider = new MeterProvider({ readers: [exporter], views: prometheusViews() });
    recordAll(otlpProvider);
    recordAll(scrapeProvider);
  });

  afterAll(async () => {
    await otlpProvider?.shutdown();
    await scrapeProvider?.shutdown();
    await collector?.stop();
    await prom?.stop();
  });

  it('both paths produce exactly the predicted series names and only convention labels', async () => {
    const p = prom as PrometheusHandle;
    const deadline = Date.now() + 60_000;
    let byJob = new Map<string, Set<string>>();
    let all: Series[] = [];
    while (Date.now() < deadline) {
      await otlpProvider?.forceFlush();
      all = await series(p);
      byJob = new Map();
      for (const s of all) {
        const job = s.job ?? '';
        if (!byJob.has(job)) byJob.set(job, new Set());
        byJob.get(job)?.add(s.__name__);
      }
      if (
        (byJob.get(OTLP_JOB)?.size ?? 0) >= expected.size &&
        (byJob.get(SCRAPE_JOB)?.size ?? 0) >= expected.size
      )
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const sorted = (s: Set<string> | undefined) => [...(s ?? [])].sort();
    expect(sorted(byJob.get(OTLP_JOB)), collector?.log().slice(-3000)).toEqual(sorted(expected));
    expect(sorted(byJob.get(SCRAPE_JOB))).toEqual(sorted(expected));
    const unknown = new Set<string>();
    for (const s of all) for (const l of Object.keys(s)) if (!knownLabels.has(l)) unknown.add(l);
    expect([...unknown]).toEqual([]);
  });
});

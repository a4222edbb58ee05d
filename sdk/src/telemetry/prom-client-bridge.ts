import {
  type DataPoint,
  DataPointType,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Metric as PromMetric, Registry } from 'prom-client';
import type { Cache } from '../cache.js';
import {
  ALL_METRICS,
  type MetricConvention,
  prometheusLabel,
  prometheusName,
  prometheusType,
} from './conventions.js';
import { instrument } from './instrument.js';

/** A reader that only collects when asked (at scrape time). */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What prom-client's registry reads from a metric at scrape time (its internal contract). */
interface BridgedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum' | 'max';
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: PromValue[] }>;
  reset(): void;
}

function labelsOf(attributes: DataPoint<unknown>['attributes']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v === 'string' || typeof v === 'number') out[prometheusLabel(k)] = v;
    else if (typeof v === 'boolean') out[prometheusLabel(k)] = String(v);
  }
  return out;
}

function histogramValues(name: string, points: DataPoint<Histogram>[]): PromValue[] {
  const values: PromValue[] = [];
  for (const p of points) {
    const labels = labelsOf(p.attributes);
    let cumulative = 0;
    p.value.buckets.boundaries.forEach((le, i) => {
      cumulative += p.value.buckets.counts[i] ?? 0;
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: p.value.count });
    values.push({ metricName: `${name}_sum`, labels, value: p.value.sum ?? 0 });
    values.push({ metricName: `${name}_count`, labels, value: p.value.count });
  }
  return values;
}

export interface PromClientBridge {
  /** Removes the series from the registry and stops observing the cache. */
  stop(): void;
}

/**
 * Exposes `cache`'s metrics through a prom-client Registry, for apps that already serve prom-client.
 * The values come from the same instrument() observers that feed OpenTelemetry (collected on demand at
 * scrape time), and the series have the same names and labels as the OpenTelemetry Prometheus endpoint.
 */
export function registerPromClient(registry: Registry, cache: Cache): PromClientBridge {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const instrumentation = instrument(cache, { meterProvider: provider });
  let pending: { at: number; data: Promise<ResourceMetrics> } | undefined;
  // One collection serves every metric of the same scrape.
  const collect = () => {
    const now = Date.now();
    if (pending === undefined || now - pending.at > 50) {
      pending = { at: now, data: reader.collect().then((r) => r.resourceMetrics) };
    }
    return pending.data;
  };
  const pointsOf = async (m: MetricConvention) => {
    const data = await collect();
    for (const scope of data.scopeMetrics) {
      for (const metric of scope.metrics) if (metric.descriptor.name === m.name) return metric;
    }
    return undefined;
  };
  const names: string[] = [];
  for (const m of ALL_METRICS) {
    const name = prometheusName(m);
    const type = prometheusType(m.instrument);
    const bridged: BridgedMetric = {
      name,
      help: m.description,
      type,
      aggregator: type === 'gauge' ? 'max' : 'sum',
      async get() {
        const metric = await pointsOf(m);
        let values: PromValue[] = [];
        if (metric?.dataPointType === DataPointType.HISTOGRAM)
          values = histogramValues(name, metric.dataPoints);
        else if (metric !== undefined) {
          values = metric.dataPoints.map((p) => ({
            labels: labelsOf(p.attributes),
            value: p.value as number,
          }));
        }
        return { name, help: m.description, type, aggregator: bridged.aggregator, values };
      },
      reset() {},
    };
    // prom-client reads registered metrics through get()/name/help/type only; BridgedMetric provides those.
    registry.registerMetric(bridged as unknown as PromMetric);
    names.push(name);
  }
  return {
    stop() {
      for (const n of names) registry.removeSingleMetric(n);
      instrumentation.stop();
      void provider.shutdown();
    },
  };
}

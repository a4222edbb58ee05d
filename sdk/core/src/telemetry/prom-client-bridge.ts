import type { DataPoint, Histogram, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Metric as PromMetric, Registry } from 'prom-client';
import type { Cache } from '../cache.js';
import { ConfigError } from '../errors.js';
import {
  ALL_METRICS,
  type MetricConvention,
  prometheusLabel,
  prometheusName,
  prometheusType,
} from './conventions.js';
import { instrument } from './instrument.js';
import { DataPointType, MeterProvider, MetricReader } from './sdk-metrics.js';

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
  /** Stops observing the cache; the series leave the registry when its last registered cache stops. */
  stop(): void;
}

/** A cache's own pull reader and provider: stopping one cache drops exactly its series. */
interface CacheSource {
  reader: PullReader;
  provider: MeterProvider;
}

/** The metrics registered on one registry, fed by every cache registered there. */
interface RegistryBridge {
  names: string[];
  sources: Map<Cache, CacheSource>;
  /** Forgets the collection shared by the current scrape (a cache joined or left). */
  invalidate(): void;
}

const bridges = new WeakMap<Registry, RegistryBridge>();

function createRegistryBridge(registry: Registry): RegistryBridge {
  const sources = new Map<Cache, CacheSource>();
  let pending: { at: number; data: Promise<ResourceMetrics[]> } | undefined;
  // One collection per cache serves every metric of the same scrape.
  const collect = () => {
    const now = Date.now();
    if (pending === undefined || now - pending.at > 50) {
      const readers = [...sources.values()].map((s) => s.reader);
      pending = {
        at: now,
        data: Promise.all(readers.map((r) => r.collect().then((c) => c.resourceMetrics))),
      };
    }
    return pending.data;
  };
  const metricsNamed = async (m: MetricConvention) => {
    const found: MetricData[] = [];
    for (const data of await collect()) {
      for (const scope of data.scopeMetrics) {
        for (const metric of scope.metrics) if (metric.descriptor.name === m.name) found.push(metric);
      }
    }
    return found;
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
        const values: PromValue[] = [];
        for (const metric of await metricsNamed(m)) {
          if (metric.dataPointType === DataPointType.HISTOGRAM)
            values.push(...histogramValues(name, metric.dataPoints));
          else {
            for (const p of metric.dataPoints)
              values.push({ labels: labelsOf(p.attributes), value: p.value as number });
          }
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
    names,
    sources,
    invalidate: () => {
      pending = undefined;
    },
  };
}

/**
 * Exposes `cache`'s metrics through a prom-client Registry, for apps that already serve prom-client.
 * The values come from the same instrument() observers that feed OpenTelemetry (collected on demand at
 * scrape time), and the series have the same names and labels as the OpenTelemetry Prometheus endpoint.
 * Any number of caches can share one registry (their series differ by the cache name label).
 */
export function registerPromClient(registry: Registry, cache: Cache): PromClientBridge {
  let bridge = bridges.get(registry);
  if (bridge === undefined) {
    bridge = createRegistryBridge(registry);
    bridges.set(registry, bridge);
  }
  if (bridge.sources.has(cache)) {
    throw new ConfigError(`cache "${cache.name}" is already registered on this prom-client registry`);
  }
  const b = bridge;
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  b.sources.set(cache, { reader, provider });
  b.invalidate();
  const instrumentation = instrument(cache, { meterProvider: provider, tracerProvider: false });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      instrumentation.stop();
      b.sources.delete(cache);
      b.invalidate();
      void provider.shutdown();
      if (b.sources.size === 0) {
        for (const n of b.names) registry.removeSingleMetric(n);
        bridges.delete(registry);
      }
    },
  };
}

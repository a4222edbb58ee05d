/**
 * The demo's own metrics history, so the Grafana panel can show the live cache without a Prometheus server: an
 * OpenTelemetry MeterProvider of its own, read in process every `intervalMs` (the cache's observable instruments
 * report `cache.stats()` at each read), each series kept as a bounded ring of (time, value) samples under the
 * names and labels a Prometheus scrape of `/metrics` gives it (from `omnicache/conventions`).
 */

import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { type Cache, type CacheInstrumentation, instrument } from 'omnicache';
import { ALL_METRICS, type MetricConvention, prometheusLabel, prometheusName } from 'omnicache/conventions';

/** One series: `__name__` + labels, and its samples (oldest first). */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/** A reader that exports nowhere: the history calls collect() itself. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

class Ring {
  readonly times: number[] = [];
  readonly values: number[] = [];
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    readonly capacity: number,
  ) {}

  push(t: number, v: number): void {
    if (this.times.length === this.capacity) {
      this.times.shift();
      this.values.shift();
    }
    this.times.push(t);
    this.values.push(v);
  }
}

export interface MetricsHistoryOptions {
  /** Metrics to keep (default: all of the conventions' counters and gauges). */
  metrics?: readonly MetricConvention[];
  /** Sampling interval (default 1 s). */
  intervalMs?: number;
  /** Samples kept per series (default 600: 10 min at 1 s). */
  samples?: number;
  /** Series kept at most (default 2,000); new series beyond it are dropped. */
  maxSeries?: number;
}

export class MetricsHistory {
  readonly intervalMs: number;
  readonly #samples: number;
  readonly #maxSeries: number;
  readonly #byOtelName: ReadonlyMap<string, string>;
  readonly #provider: MeterProvider;
  readonly #reader = new PullReader();
  readonly #instrumented: CacheInstrumentation[] = [];
  readonly #series = new Map<string, Ring>();
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<void> | undefined;

  constructor(options: MetricsHistoryOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.#samples = options.samples ?? 600;
    this.#maxSeries = options.maxSeries ?? 2000;
    const metrics = (options.metrics ?? ALL_METRICS).filter((m) => m.instrument !== 'Histogram');
    this.#byOtelName = new Map(metrics.map((m) => [m.name, prometheusName(m)]));
    this.#provider = new MeterProvider({ readers: [this.#reader] });
  }

  /** Reports `cache`'s metrics into this history (metrics only; tracing stays with the application's setup). */
  add(cache: Cache): void {
    this.#instrumented.push(instrument(cache, { meterProvider: this.#provider, tracerProvider: false }));
  }

  /** Takes one sample of every series now. */
  async sample(now = Date.now()): Promise<void> {
    const { resourceMetrics } = await this.#reader.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const name = this.#byOtelName.get(metric.descriptor.name);
        if (name === undefined) continue;
        if (metric.dataPointType !== DataPointType.SUM && metric.dataPointType !== DataPointType.GAUGE)
          continue;
        for (const point of metric.dataPoints) {
          const labels: Record<string, string> = { __name__: name };
          for (const [k, v] of Object.entries(point.attributes)) labels[prometheusLabel(k)] = String(v);
          const id = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
          let ring = this.#series.get(id);
          if (ring === undefined) {
            if (this.#series.size >= this.#maxSeries) continue;
            ring = new Ring(labels, this.#samples);
            this.#series.set(id, ring);
          }
          ring.push(now, point.value as number);
        }
      }
    }
  }

  /** Starts sampling every intervalMs (first sample now). */
  start(): void {
    if (this.#timer !== undefined) return;
    const tick = () => {
      this.#sampling ??= this.sample()
        .catch(() => undefined)
        .finally(() => {
          this.#sampling = undefined;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.intervalMs);
    this.#timer.unref();
  }

  /** Series named `name` (Prometheus name) whose labels include `match`, with their samples in [from, to]. */
  query(name: string, match: Readonly<Record<string, string>>, from: number, to: number): Series[] {
    const out: Series[] = [];
    for (const ring of this.#series.values()) {
      if (ring.labels.__name__ !== name) continue;
      if (!Object.entries(match).every(([k, v]) => ring.labels[k] === v)) continue;
      let i = 0;
      while (i < ring.times.length && ring.times[i]! < from) i++;
      let j = ring.times.length;
      while (j > i && ring.times[j - 1]! > to) j--;
      if (j > i)
        out.push({ labels: ring.labels, times: ring.times.slice(i, j), values: ring.values.slice(i, j) });
    }
    return out;
  }

  /** Number of series kept. */
  get size(): number {
    return this.#series.size;
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampling;
    for (const i of this.#instrumented.splice(0)) i.stop();
    await this.#provider.shutdown();
  }
}

/**
 * OpenTelemetry metrics for a cache, at near-zero cost on the hot path:
 * - every counter and gauge is an observable instrument read at collection time from `cache.stats()` (plain
 *   numbers the cache increments anyway): an l1 hit performs no OpenTelemetry call and no allocation;
 * - histograms are recorded from the cache's event channel for events that never happen on an l1 hit
 *   (loader calls), so subscribing does not switch on any hit-path event.
 * Names, units and attributes come from ./conventions.ts only; the stats -> series mapping from ./stats-readings.ts.
 */
import type {
  Attributes,
  BatchObservableResult,
  Histogram,
  Meter,
  MeterProvider,
  Observable,
  TracerProvider,
} from '@opentelemetry/api';
import type { Cache } from '../cache.js';
import type { BusEvent, LoadEvent } from '../events.js';
import { ATTR, INSTRUMENTATION_SCOPE, METRICS, type MetricConvention } from './conventions.js';
import { otelApi } from './otel-api.js';
import { OBSERVED_METRICS, readStats } from './stats-readings.js';
import { onTierTiming, setSpanTracing } from './tier-timing.js';
import { OtelCacheTracing, type TracingOptions } from './tracing.js';

export interface InstrumentOptions {
  /** Defaults to the global meter provider (`metrics.getMeterProvider()`). Several: one instrumentation feeds all. */
  meterProvider?: MeterProvider | readonly MeterProvider[];
  /** Spans for the slow paths (see tracing.ts). Defaults to the global tracer provider; `false` records no spans. */
  tracerProvider?: TracerProvider | false;
  /** Opt-in keyed HMAC of keys on spans (see TracingOptions.keyHmacSecret). */
  keyHmacSecret?: TracingOptions['keyHmacSecret'];
  /** PII redaction of error messages on spans (see TracingOptions.redactor). */
  redactor?: TracingOptions['redactor'];
}

export interface CacheInstrumentation {
  /** Stops observing the cache and unsubscribes from its events. Idempotent. */
  stop(): void;
}

function observable(meter: Meter, m: MetricConvention): Observable {
  const opts = { unit: m.unit, description: m.description };
  if (m.instrument === 'ObservableCounter')
    return meter.createObservableCounter(m.name, { ...opts, valueType: otelApi().ValueType.INT });
  const valueType = m === METRICS.arcTarget ? otelApi().ValueType.DOUBLE : otelApi().ValueType.INT;
  return meter.createObservableGauge(m.name, { ...opts, valueType });
}

function histogram(
  meter: Meter,
  m: typeof METRICS.loaderDuration | typeof METRICS.tierOperationDuration | typeof METRICS.busLag,
): Histogram {
  return meter.createHistogram(m.name, {
    unit: m.unit,
    description: m.description,
    valueType: otelApi().ValueType.DOUBLE,
    advice: { explicitBucketBoundaries: [...m.buckets] },
  });
}

interface MeterSide {
  meter: Meter;
  observe: (r: BatchObservableResult) => void;
  observables: Observable[];
  loaderDuration: Histogram;
  tierDuration: Histogram;
  busLag: Histogram;
}

function meterSide(cache: Cache, provider: MeterProvider): MeterSide {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  const instruments = new Map<MetricConvention, Observable>();
  for (const m of OBSERVED_METRICS) instruments.set(m, observable(meter, m));
  const observables = [...instruments.values()];
  const observe = (r: BatchObservableResult) => {
    readStats(cache.stats(), (metric, value, attributes) => {
      const inst = instruments.get(metric);
      if (inst) r.observe(inst, value, attributes);
    });
  };
  meter.addBatchObservableCallback(observe, observables);
  return {
    meter,
    observe,
    observables,
    loaderDuration: histogram(meter, METRICS.loaderDuration),
    tierDuration: histogram(meter, METRICS.tierOperationDuration),
    busLag: histogram(meter, METRICS.busLag),
  };
}

/**
 * Exposes a cache's counters, gauges, loader and remote tier latency through OpenTelemetry, and (unless
 * `tracerProvider: false`) spans for its slow paths. Call once per cache (namespaces share their root cache's
 * counters: instrument the root). The cache has one tracing hook: the last instrument()/traceCache() call wins;
 * to feed several meter providers (e.g. OTLP and a Prometheus endpoint), pass them all in one call.
 */
export function instrument(cache: Cache, options: InstrumentOptions = {}): CacheInstrumentation {
  const given = options.meterProvider ?? otelApi().metrics.getMeterProvider();
  const providers: readonly MeterProvider[] = Array.isArray(given) ? given : [given as MeterProvider];
  const sides = providers.map((p) => meterSide(cache, p));

  // Loader latency from load events (never emitted on an l1 hit).
  const outcomeAttrs = {
    success: { [ATTR.cache]: cache.name, [ATTR.outcome]: 'success' },
    error: { [ATTR.cache]: cache.name, [ATTR.outcome]: 'error' },
    timeout: { [ATTR.cache]: cache.name, [ATTR.outcome]: 'timeout' },
  } as const;
  const onLoad = (e: LoadEvent) => {
    for (const side of sides) side.loaderDuration.record(e.durationMs / 1000, outcomeAttrs[e.outcome]);
  };
  const unsubscribe = cache.events.on('load', onLoad);
  // Bus lag from applied bus messages (never on an l1 hit).
  const lagAttrs = new Map<string, Attributes>();
  const onBus = (e: BusEvent) => {
    if (e.lagMs === undefined) return;
    let a = lagAttrs.get(e.transport);
    if (a === undefined) {
      a = { [ATTR.cache]: cache.name, [ATTR.busTransport]: e.transport };
      lagAttrs.set(e.transport, a);
    }
    for (const side of sides) side.busLag.record(e.lagMs / 1000, a);
  };
  const unsubscribeBus = cache.events.on('bus', onBus);

  // Remote tier latency (and spans) through the cache's tracing hook: consulted only around remote tier calls
  // and getOrSet misses, never on an l1 hit.
  const spans =
    options.tracerProvider === false
      ? undefined
      : new OtelCacheTracing({
          ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
          ...(options.keyHmacSecret !== undefined ? { keyHmacSecret: options.keyHmacSecret } : {}),
          ...(options.redactor !== undefined ? { redactor: options.redactor } : {}),
        });
  const tierAttrs = new Map<string, Attributes>();
  const stopTiming = onTierTiming(cache, (seconds, tier, operation, outcome) => {
    const k = `${tier}|${operation}|${outcome}`;
    let a = tierAttrs.get(k);
    if (a === undefined) {
      a = {
        [ATTR.cache]: cache.name,
        [ATTR.tier]: tier,
        [ATTR.operation]: operation,
        [ATTR.outcome]: outcome,
      };
      tierAttrs.set(k, a);
    }
    for (const side of sides) side.tierDuration.record(seconds, a);
  });
  const stopSpans = spans === undefined ? undefined : setSpanTracing(cache, spans);

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const side of sides) side.meter.removeBatchObservableCallback(side.observe, side.observables);
      unsubscribe();
      unsubscribeBus();
      stopTiming();
      stopSpans?.();
    },
  };
}

/**
 * Remote tier latency for `omnicache.tier.operation.duration`. The cache has one tracing hook, which the
 * orchestrator calls around every remote tier operation and getOrSet miss (never on an l1 hit). This module owns
 * that hook for telemetry: a per-cache hub that times tier operations for any number of listeners (the OpenTelemetry
 * histograms of instrument(), the prom-client bridge) and delegates spans to one span tracer.
 */
import type { CacheTracing, TracedOperation, TraceResult, TraceTarget } from '../cache/tracing.js';
import { ATTACH_TRACING } from '../cache/tracing.js';
import type { Cache } from '../cache.js';
import { TimeoutError } from '../errors.js';
import type { Outcome, TierOperation } from './conventions.js';

const OPERATION: Readonly<Record<string, TierOperation>> = {
  get: 'get',
  getMany: 'get_many',
  set: 'set',
  setMany: 'set_many',
  delete: 'delete',
  deleteMany: 'delete_many',
  deleteByTag: 'delete_by_tag',
  clear: 'clear',
};

/** Receives one timed remote tier operation. */
export type TierTimingListener = (
  seconds: number,
  tier: string,
  operation: TierOperation,
  outcome: Outcome,
) => void;

class TierTimingHub implements CacheTracing {
  readonly listeners = new Set<TierTimingListener>();
  spans: CacheTracing | undefined;

  async trace<T>(operation: TracedOperation, target: TraceTarget, fn: () => Promise<T>): Promise<T> {
    const spans = this.spans;
    if (operation !== 'tierOperation' || this.listeners.size === 0) {
      return spans === undefined ? fn() : spans.trace(operation, target, fn);
    }
    const started = performance.now();
    const tier = target.tier ?? 'l2';
    const op = OPERATION[target.operation ?? 'get'] ?? 'get';
    let outcome: Outcome = 'success';
    try {
      return await (spans === undefined ? fn() : spans.trace(operation, target, fn));
    } catch (error) {
      outcome = error instanceof TimeoutError ? 'timeout' : 'error';
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      for (const l of this.listeners) l(seconds, tier, op, outcome);
    }
  }

  result(result: TraceResult): void {
    this.spans?.result(result);
  }

  coalesced(): void {
    this.spans?.coalesced();
  }
}

const hubs = new WeakMap<Cache, TierTimingHub>();

function hubOf(cache: Cache): TierTimingHub {
  let hub = hubs.get(cache);
  if (hub === undefined) {
    hub = new TierTimingHub();
    hubs.set(cache, hub);
  }
  cache[ATTACH_TRACING](hub);
  return hub;
}

function release(cache: Cache, hub: TierTimingHub): void {
  if (hub.listeners.size === 0 && hub.spans === undefined) {
    cache[ATTACH_TRACING](undefined);
    hubs.delete(cache);
  }
}

/** Times every remote tier operation of `cache` for `listener`. Returns the function that stops it. */
export function onTierTiming(cache: Cache, listener: TierTimingListener): () => void {
  const hub = hubOf(cache);
  hub.listeners.add(listener);
  return () => {
    hub.listeners.delete(listener);
    release(cache, hub);
  };
}

/** Routes the cache's spans to `spans` (one span tracer per cache). Returns the function that stops it. */
export function setSpanTracing(cache: Cache, spans: CacheTracing): () => void {
  const hub = hubOf(cache);
  hub.spans = spans;
  return () => {
    if (hub.spans === spans) hub.spans = undefined;
    release(cache, hub);
  };
}

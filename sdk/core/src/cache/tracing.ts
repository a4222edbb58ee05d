/**
 * The tracing hook the orchestrator calls on its slow paths (never on an L1 hit). The core knows nothing
 * of OpenTelemetry: telemetry/tracing.ts implements this with the OTel API. Without a hook installed,
 * the slow paths pay one `undefined` check.
 */
export type TracedOperation = 'getOrSet' | 'tierOperation' | 'loader';

export interface TraceTarget {
  cache: string;
  /** Namespace path ('' at the root). */
  namespace: string;
  /** The user's key: an implementation may only record it hashed, and only when the user opted in. */
  key: string;
  tier?: 'l2' | 'l3';
  tierKind?: string;
  operation?: string;
}

/** What a getOrSet ended as; set on the active getOrSet span. */
export type TraceResult = 'hit' | 'miss' | 'stale' | 'error';

export interface CacheTracing {
  /**
   * Runs `fn` inside a span for `operation`, with the span active so work started by `fn` (tier calls,
   * the loader and anything the loader does) is its child. Returns what `fn` returns; a rejection is
   * recorded on the span and passed on unchanged.
   */
  trace<T>(operation: TracedOperation, target: TraceTarget, fn: () => Promise<T>): Promise<T>;
  /** Records the result of the getOrSet whose span is active (no-op outside one). */
  result(result: TraceResult): void;
  /** Marks the active getOrSet span as joined onto another caller's load (single-flight). */
  coalesced(): void;
}

/** Installs (or removes, with undefined) a tracing hook on a cache; used by telemetry's instrument(). */
export const ATTACH_TRACING: unique symbol = Symbol('omnicache.attachTracing');

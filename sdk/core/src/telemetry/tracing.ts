import { createHmac } from 'node:crypto';
import type { Attributes, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import type { CacheTracing, TracedOperation, TraceTarget } from '../cache/tracing.js';
import type { Cache } from '../cache.js';
import type { PiiRedactor } from '../security/pii/redactor.js';
import { defaultRedactor, redactError } from '../security/pii/telemetry-redaction.js';
import { ATTR, INSTRUMENTATION_SCOPE, SPANS } from './conventions.js';
import { otelApi } from './otel-api.js';
import { setSpanTracing } from './tier-timing.js';

export interface TracingOptions {
  /** Defaults to the global tracer provider. */
  tracerProvider?: TracerProvider;
  /**
   * Opt-in: record the key on spans as HMAC-SHA256(secret, key) in `omnicache.key.hmac`. Without a secret
   * no key (hashed or not) is ever recorded.
   */
  keyHmacSecret?: string | Uint8Array;
  /**
   * Redaction of error messages and exceptions recorded on spans (a loader's error often quotes the data it was
   * loading). Default: a redactor with every type but phone and a random key per process; pass one built with a
   * key (and the phone detector) to keep markers stable across instances; `false` records messages verbatim.
   */
  redactor?: PiiRedactor | false;
}

/** Spans for a cache's slow paths: getOrSet misses, remote tier operations and loader calls. */
export class OtelCacheTracing implements CacheTracing {
  private readonly tracer: Tracer;
  private readonly secret: string | Uint8Array | undefined;
  private readonly redactor: PiiRedactor | undefined;
  /** getOrSet spans by identity, so result()/coalesced() only touch those (never a child or a foreign span). */
  private readonly open = new WeakSet<Span>();

  constructor(options: TracingOptions = {}) {
    this.tracer = (options.tracerProvider ?? otelApi().trace.getTracerProvider()).getTracer(
      INSTRUMENTATION_SCOPE,
    );
    this.secret = options.keyHmacSecret;
    this.redactor = options.redactor === false ? undefined : (options.redactor ?? defaultRedactor());
  }

  trace<T>(operation: TracedOperation, target: TraceTarget, fn: () => Promise<T>): Promise<T> {
    const attributes: Attributes = { [ATTR.cache]: target.cache };
    if (operation === 'tierOperation') {
      attributes[ATTR.tier] = target.tier;
      attributes[ATTR.tierKind] = target.tierKind;
      attributes[ATTR.operation] = target.operation;
    } else {
      attributes[ATTR.namespace] = target.namespace;
      if (this.secret !== undefined && target.key !== '') {
        attributes[ATTR.keyHmac] = createHmac('sha256', this.secret).update(target.key).digest('hex');
      }
    }
    return this.tracer.startActiveSpan(SPANS[operation], { attributes }, async (span) => {
      if (operation === 'getOrSet') this.open.add(span);
      try {
        const value = await fn();
        if (operation !== 'getOrSet') span.setAttribute(ATTR.outcome, 'success');
        return value;
      } catch (error) {
        const type = error instanceof Error ? error.name : typeof error;
        span.setAttribute(ATTR.errorType, type);
        if (operation === 'getOrSet') span.setAttribute(ATTR.result, 'error');
        else span.setAttribute(ATTR.outcome, type === 'TimeoutError' ? 'timeout' : 'error');
        const r = this.redactor;
        if (error instanceof Error) span.recordException(r === undefined ? error : redactError(r, error));
        const message = error instanceof Error ? error.message : String(error);
        span.setStatus({
          code: otelApi().SpanStatusCode.ERROR,
          message: r === undefined ? message : r.redact(message),
        });
        throw error;
      } finally {
        this.open.delete(span);
        span.end();
      }
    });
  }

  result(result: 'hit' | 'miss' | 'stale' | 'error'): void {
    const span = otelApi().trace.getActiveSpan();
    if (span !== undefined && this.open.has(span)) span.setAttribute(ATTR.result, result);
  }

  coalesced(): void {
    const span = otelApi().trace.getActiveSpan();
    if (span !== undefined && this.open.has(span)) span.setAttribute(ATTR.coalesced, true);
  }
}

/** Starts tracing `cache`'s slow paths; the returned function stops it. */
export function traceCache(cache: Cache, options: TracingOptions = {}): () => void {
  // Through the shared hook, so instrument()'s tier latency timing keeps working alongside.
  return setSpanTracing(cache, new OtelCacheTracing(options));
}

/**
 * W3C trace context across the bus, when @opentelemetry/api is installed (an optional peer): the publisher puts
 * the active span's context in the message; the receiver applies the message inside a consumer span whose
 * parent is that context, so one trace shows the invalidation on every instance. Without the API (or without
 * an active span) messages carry no trace and no span is made.
 */
import type * as OtelApi from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from '../telemetry/conventions.js';
import { requirePeer } from '../vendor/peer.js';

export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

let api: typeof OtelApi | null | undefined;

function otel(): typeof OtelApi | undefined {
  if (api === undefined) {
    try {
      api = requirePeer<typeof OtelApi>('@opentelemetry/api', 'bus trace context');
    } catch {
      api = null;
    }
  }
  return api ?? undefined;
}

/** The active span's context as a W3C traceparent, or undefined. */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const a = otel();
  if (a === undefined) return undefined;
  const sc = a.trace.getSpanContext(a.context.active());
  if (sc === undefined || !a.trace.isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceCarrier = { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}` };
  const state = sc.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/** Runs `fn` inside a span `name` of the given kind, child of the active context. Plain call without the API. */
export function inSpan<T>(
  name: string,
  kind: 'producer' | 'consumer',
  attributes: Record<string, string>,
  fn: () => T,
  parent?: TraceCarrier,
): T {
  const a = otel();
  if (a === undefined) return fn();
  let ctx = a.context.active();
  if (parent !== undefined) {
    const [, traceId = '', spanId = '', flags = '00'] = parent.traceparent.split('-');
    const remote: OtelApi.SpanContext = {
      traceId,
      spanId,
      traceFlags: Number.parseInt(flags, 16),
      isRemote: true,
    };
    if (parent.tracestate !== undefined) remote.traceState = a.createTraceState(parent.tracestate);
    if (a.trace.isSpanContextValid(remote)) ctx = a.trace.setSpanContext(a.ROOT_CONTEXT, remote);
  }
  const tracer = a.trace.getTracer(INSTRUMENTATION_SCOPE);
  const spanKind = kind === 'producer' ? a.SpanKind.PRODUCER : a.SpanKind.CONSUMER;
  return tracer.startActiveSpan(name, { kind: spanKind, attributes }, ctx, (span) => {
    try {
      return fn();
    } finally {
      span.end();
    }
  });
}

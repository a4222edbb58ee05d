/**
 * The request's trace context around the cache call, so the getOrSet and loader spans (and whatever the
 * handler does inside the loader) join the request's trace. With HTTP instrumentation the server span is
 * already active and nothing is done; without it, a W3C `traceparent` header is extracted through the
 * global propagator. Without `@opentelemetry/api` installed this is a plain call.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type * as OtelApi from '@opentelemetry/api';
import { MissingPeerDependencyError } from '../../errors.js';
import { otelApi } from '../../telemetry/otel-api.js';

let api: typeof OtelApi | null | undefined;

/** @opentelemetry/api when installed, else null (the integrations work without it). */
export function optionalOtelApi(): typeof OtelApi | null {
  if (api === undefined) {
    try {
      api = otelApi();
    } catch (error) {
      if (!(error instanceof MissingPeerDependencyError)) throw error;
      api = null;
    }
  }
  return api;
}

export function inRequestContext<T>(headers: IncomingHttpHeaders, fn: () => T): T {
  if (headers.traceparent === undefined) return fn();
  const otel = optionalOtelApi();
  if (otel === null || otel.trace.getActiveSpan() !== undefined) return fn();
  return otel.context.with(otel.propagation.extract(otel.context.active(), headers), fn);
}

/**
 * Per-route response counters of the HTTP integrations: plain numbers, bounded, read at collection time by
 * the observable counter `omnicache.http.responses` (no OpenTelemetry call while serving).
 */
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import { ATTR, type HttpResult, INSTRUMENTATION_SCOPE, METRICS } from '../../telemetry/conventions.js';

const MAX_SERIES = 1000;
const OTHER_ROUTE = '_other';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

interface Series {
  count: number;
  attributes: Attributes;
}

export class RouteStats {
  readonly #cache: string;
  readonly #series = new Map<string, Series>();

  constructor(cacheName: string) {
    this.#cache = cacheName;
  }

  count(route: string, method: string, status: number, result: HttpResult): void {
    const m = METHODS.has(method) ? method : '_OTHER';
    let id = `${route}\u0000${m}\u0000${status}\u0000${result}`;
    let s = this.#series.get(id);
    if (s === undefined) {
      let r = route;
      if (this.#series.size >= MAX_SERIES) {
        r = OTHER_ROUTE;
        id = `${r}\u0000${m}\u0000${status}\u0000${result}`;
        s = this.#series.get(id);
      }
      if (s === undefined) {
        s = {
          count: 0,
          attributes: {
            [ATTR.cache]: this.#cache,
            [ATTR.httpRoute]: r,
            [ATTR.httpMethod]: m,
            [ATTR.httpStatus]: status,
            [ATTR.httpResult]: result,
          },
        };
        this.#series.set(id, s);
      }
    }
    s.count++;
  }

  /** Current counts, e.g. for tests and logs. */
  snapshot(): { attributes: Attributes; count: number }[] {
    return [...this.#series.values()].map((s) => ({ attributes: { ...s.attributes }, count: s.count }));
  }

  /** Reports the counters through `omnicache.http.responses` on `provider`; returns the function that stops it. */
  observe(provider: MeterProvider): () => void {
    const m = METRICS.httpResponses;
    const counter = provider
      .getMeter(INSTRUMENTATION_SCOPE)
      .createObservableCounter(m.name, { unit: m.unit, description: m.description });
    const callback = (r: ObservableResult) => {
      for (const s of this.#series.values()) r.observe(s.count, s.attributes);
    };
    counter.addCallback(callback);
    return () => counter.removeCallback(callback);
  }
}

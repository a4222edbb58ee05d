// A loader's "answer, but do not store" result: `return ctx.skipCache(value)`. The caller (and the callers that
// joined the same load) get `value`; no tier stores it, and the load counts as a successful loader call (not an
// error: nothing failed, the value is just not shareable, e.g. an HTTP response with Set-Cookie).

const SKIP = Symbol('omnicache.skipCache');

/** What `LoaderContext.skipCache(value)` returns; only getOrSet reads it. */
export interface SkipCache<V> {
  readonly [SKIP]: true;
  readonly value: V;
}

export function skipCache<V>(value: V): SkipCache<V> {
  return { [SKIP]: true, value };
}

export function isSkipCache(v: unknown): v is SkipCache<unknown> {
  return typeof v === 'object' && v !== null && (v as { [SKIP]?: unknown })[SKIP] === true;
}

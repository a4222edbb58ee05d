/**
 * The prefetch session: which user session (or any stream of related requests) an access belongs to. Requests of
 * concurrent users interleave in one cache's access stream; tagged with a session, the model keeps one context per
 * session and learns each user's own order. The id never leaves the process: samples carry its keyed HMAC.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with the accesses it makes (and the async work it starts) tagged as session `id` in the prefetch access
 * stream. Nesting replaces the outer id. Without the `prefetch` option it only runs `fn`.
 */
export function withPrefetchSession<T>(id: string, fn: () => T): T {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError('withPrefetchSession(id, fn): id must be a non-empty string (a session or user id)');
  }
  return current.run(id, fn);
}

/** The session of the running async context, if any (read only for sampled accesses). */
export function prefetchSession(): string | undefined {
  return current.getStore();
}

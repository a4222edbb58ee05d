/** Options of the HTTP integrations (omnicache/fastify, omnicache/express), generic over the framework's request. */
import type { MeterProvider } from '@opentelemetry/api';

/** A value given as is, or computed from the request. */
export type PerRequest<R, T> = T | ((request: R) => T);

/** How a GET route's responses are cached. Durations are milliseconds. */
export interface RouteCacheOptions<R> {
  /** Fresh time to live (default: the integration's `ttl`, else the cache's `defaults.ttl`). Sent as `max-age`. */
  ttl?: number;
  /** Serve stale while one background refresh runs (default: the integration's, else the cache's). Sent as `stale-while-revalidate`. */
  staleWhileRevalidate?: number;
  /** Serve stale when the handler fails (default: the integration's, else the cache's). Sent as `stale-if-error`. */
  grace?: number;
  /** Request headers that select a variant: part of the key and of the `Vary` response header. */
  vary?: readonly string[];
  /**
   * Who the response is for (a user id, a tenant): part of the key (hashed), and the response becomes
   * `Cache-Control: private`. Return undefined for anonymous requests, which share one entry.
   */
  user?: (request: R) => string | undefined;
  /** Replaces the built key (method, URL, `vary` headers, user) with your own. */
  key?: (request: R) => string;
  /** Tags to invalidate the entry by (each entry is also tagged with its path, see `invalidate.paths`). */
  tags?: PerRequest<R, readonly string[]>;
  /** Statuses that are stored (default 200, 203, 204, 300, 301, 308). Add 404 or 5xx only on purpose. */
  statuses?: readonly number[];
  /** Store responses that set cookies (default false: a Set-Cookie response is never shared). */
  cacheSetCookie?: boolean;
  /** Largest body stored, in bytes (default 1 MiB); larger responses are sent and not stored. */
  maxBodyBytes?: number;
}

/** What a successful (2xx/3xx) mutating request invalidates, before its response is sent. */
export interface RouteInvalidateOptions<R> {
  /** Every cached variant (all users, all `vary` values, any query) of these GET paths, e.g. `/users/42`. */
  paths?: PerRequest<R, readonly string[]>;
  /** Entries cached with these tags. */
  tags?: PerRequest<R, readonly string[]>;
  /** Raw cache keys (as built by `key`). */
  keys?: PerRequest<R, readonly string[]>;
  /** Every GET URL starting with these prefixes, e.g. `/users/`. Needs a cache with `invalidate({ prefix })`. */
  prefixes?: PerRequest<R, readonly string[]>;
}

/** Options of the integration as a whole (the plugin or the middleware factory). */
export interface HttpCacheOptions {
  /** Defaults for every cached route (unset: the cache's own `cache.defaults`). */
  ttl?: number;
  staleWhileRevalidate?: number;
  grace?: number;
  statuses?: readonly number[];
  maxBodyBytes?: number;
  /**
   * Where `omnicache.http.responses` (per route, method, status and cache result) is reported: meter providers
   * (e.g. `telemetry.meterProviders` from omnicache/otel), or false for none. Default: the global meter provider
   * when `@opentelemetry/api` is installed.
   */
  meterProvider?: MeterProvider | readonly MeterProvider[] | false;
  /** Response header naming the cache result (hit, stale, miss, coalesced, bypass, uncacheable); false for none. */
  resultHeader?: string | false;
}

export const DEFAULT_STATUSES: readonly number[] = [200, 203, 204, 300, 301, 308];
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function perRequest<R, T>(v: PerRequest<R, T> | undefined, request: R): T | undefined {
  return typeof v === 'function' ? (v as (r: R) => T)(request) : v;
}

/**
 * The framework-independent half of omnicache/fastify and omnicache/express: which requests are cacheable,
 * their keys, the single-flight through `getOrSet` (one handler run for concurrent identical requests),
 * which responses may be stored, the headers sent with them (ETag, Last-Modified, Cache-Control with the
 * entry's own windows, Age, Vary), conditional requests, invalidation and per-route counters.
 *
 * The framework half supplies two ways to run the route: `lead` runs it for the request being served (inside
 * the loader, so the request's trace context reaches the handler) and resolves with the response it produced;
 * `detached` runs it without a client, for the background refresh of stale-while-revalidate.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MeterProvider } from '@opentelemetry/api';
import type { LoaderContext } from '../../cache/types.js';
import type { Cache } from '../../cache.js';
import { ConfigError } from '../../errors.js';
import type { HttpResult } from '../../telemetry/conventions.js';
import { cacheControlFor, parseCacheControl, type Windows } from './cache-control.js';
import { notModified } from './conditional.js';
import {
  type InvalidationTarget,
  type Invalidator,
  invalidatorFor,
  prefixUnsupported,
} from './invalidator.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_STATUSES,
  type HttpCacheOptions,
  perRequest,
  type RouteCacheOptions,
  type RouteInvalidateOptions,
} from './options.js';
import { inRequestContext, optionalOtelApi } from './request-context.js';
import { BUILT_KEY_PREFIX, builtKey, customKey, pathOf, pathTag } from './request-key.js';
import { RouteStats } from './route-stats.js';
import {
  type CapturedResponse,
  isStoredResponse,
  type StoredResponse,
  type StoreRules,
  toStored,
  type UncacheableReason,
  uncacheableReason,
} from './stored-response.js';

/** The parts of a request the engine reads. */
export interface RequestView {
  /** Upper case. */
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Route template (`/users/:id`), for metrics. */
  route: string;
}

/** One request's cache decisions. */
export interface RoutePlan {
  key: string;
  tags: string[];
  windows: Windows;
  rules: StoreRules;
  startedAt: number;
}

export type Served =
  /** This request ran the handler inside the loader and answers with its own response. */
  | { kind: 'leader' }
  /** Answer with a stored response. */
  | { kind: 'entry'; entry: StoredResponse; result: 'hit' | 'stale' | 'coalesced' }
  /** Nothing shareable (another request's response was uncacheable, or the cache failed): run the route uncached. */
  | { kind: 'rerun' };

/** Rejects a load whose response may not be stored; requests that waited for it run the route themselves. */
export class UncacheableResponse extends Error {
  readonly reason: UncacheableReason;
  constructor(reason: UncacheableReason) {
    super(`response not cacheable: ${reason}`);
    this.name = 'UncacheableResponse';
    this.reason = reason;
  }
}

/** What a load of a route yields: a stored response, or (not stored) why the response could not be stored. */
type Loaded = StoredResponse | UncacheableResponse;

/** Uncacheable because the route failed (threw, or answered with a status that is not stored, e.g. 5xx or 404). */
const ERROR_REASONS: ReadonlySet<UncacheableReason> = new Set(['handler-error', 'status']);

const LEADER: Served = { kind: 'leader' };
const RERUN: Served = { kind: 'rerun' };

function checkWindow(name: string, v: number | undefined, positive: boolean): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new ConfigError(
      `omnicache route option ${name} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds, got ${String(v)}`,
    );
  }
}

export class HttpCacheEngine {
  readonly cache: Cache;
  readonly stats: RouteStats;
  readonly resultHeader: string | undefined;
  readonly #options: HttpCacheOptions;
  readonly #invalidator: Invalidator;
  readonly #stopMetrics: () => void;
  readonly #fixedHeaders = new WeakMap<StoredResponse, { lastModified: string; cacheControl: string }>();

  constructor(cache: Cache, options: HttpCacheOptions = {}, integration = 'omnicache/fastify') {
    if (typeof (cache as Partial<Cache> | undefined)?.getOrSet !== 'function') {
      throw new ConfigError(
        `${integration} needs the cache to store responses in: pass { cache: createCache({ name: 'http', l1: { capacity: 10_000 } }) }`,
      );
    }
    this.cache = cache;
    this.#options = options;
    checkWindow('ttl', options.ttl, true);
    checkWindow('staleWhileRevalidate', options.staleWhileRevalidate, false);
    checkWindow('grace', options.grace, false);
    this.#invalidator = invalidatorFor(cache);
    this.stats = new RouteStats(cache.name);
    this.resultHeader =
      options.resultHeader === false ? undefined : (options.resultHeader ?? 'x-omnicache').toLowerCase();
    const given = options.meterProvider ?? optionalOtelApi()?.metrics.getMeterProvider() ?? false;
    const providers = given === false ? [] : Array.isArray(given) ? given : [given as MeterProvider];
    const stops = providers.map((p) => this.stats.observe(p));
    this.#stopMetrics = () => {
      for (const stop of stops) stop();
    };
  }

  /** Validates a route's options when the route is registered (bad input fails at start-up, not per request). */
  checkRoute<R>(
    cacheOpts: RouteCacheOptions<R> | undefined,
    inv: RouteInvalidateOptions<R> | undefined,
  ): void {
    if (cacheOpts !== undefined) {
      checkWindow('ttl', cacheOpts.ttl, true);
      checkWindow('staleWhileRevalidate', cacheOpts.staleWhileRevalidate, false);
      checkWindow('grace', cacheOpts.grace, false);
      for (const h of cacheOpts.vary ?? []) {
        if (typeof h !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(h))
          throw new ConfigError(`omnicache route option vary: "${String(h)}" is not a header name`);
      }
    }
    if (inv?.prefixes !== undefined && !this.#invalidator.supportsPrefix) throw prefixUnsupported();
  }

  /** The cache decisions for a request, or undefined when it bypasses the cache (not a GET, or no-store). */
  plan<R>(opts: RouteCacheOptions<R>, request: R, view: RequestView): RoutePlan | undefined {
    if (view.method !== 'GET') return undefined;
    if (parseCacheControl(view.headers['cache-control']).has('no-store')) return undefined;
    const o = this.#options;
    const vary = (opts.vary ?? []).map((h) => h.toLowerCase());
    const user = opts.user?.(request);
    const key =
      opts.key !== undefined ? customKey(opts.key(request)) : builtKey(view.url, view.headers, vary, user);
    return {
      key,
      tags: [pathTag(pathOf(view.url)), ...(perRequest(opts.tags, request) ?? [])],
      windows: {
        // unset here and on the integration: the cache's own defaults (createCache({ defaults }))
        ttl: opts.ttl ?? o.ttl ?? this.cache.defaults.ttl,
        staleWhileRevalidate:
          opts.staleWhileRevalidate ?? o.staleWhileRevalidate ?? this.cache.defaults.staleWhileRevalidate,
        grace: opts.grace ?? o.grace ?? this.cache.defaults.grace,
      },
      rules: {
        statuses: opts.statuses ?? o.statuses ?? DEFAULT_STATUSES,
        cacheSetCookie: opts.cacheSetCookie === true,
        maxBodyBytes: opts.maxBodyBytes ?? o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        vary,
        perUser: user !== undefined,
      },
      startedAt: Date.now(),
    };
  }

  /**
   * Answers a planned request through `getOrSet`: a fresh entry, a stale one (its background refresh runs
   * `detached`), or, on a miss, `lead` for the first request while identical concurrent requests wait for it.
   */
  async serve(
    plan: RoutePlan,
    view: RequestView,
    lead: () => Promise<StoredResponse>,
    detached: () => Promise<CapturedResponse>,
  ): Promise<Served> {
    let leading = false;
    // A response that may not be stored (Set-Cookie, no-store, private, an error status, a stream, a handler
    // that threw) is the loader's answer without being stored: not a failed load (no loader error counted). Except
    // an error while the stored response is inside its grace window: that load fails, so that the cache answers
    // with the stale entry (stale-if-error) and backs off before running the handler again.
    const notStored = (ctx: LoaderContext<Loaded>) => (error: unknown) => {
      if (!(error instanceof UncacheableResponse)) throw error;
      const s = ctx.stale;
      const graced = isStoredResponse(s) && Date.now() < s.storedAt + s.ttl + s.grace;
      if (graced && ERROR_REASONS.has(error.reason)) throw error;
      return ctx.skipCache(error);
    };
    const loader = (ctx: LoaderContext<Loaded>) => {
      const s = ctx.stale;
      // A load with a value still inside its stale-while-revalidate window is the background refresh (the
      // request is answered with the stale value): it must not use this request's response.
      if (leading || (isStoredResponse(s) && Date.now() < s.storedAt + s.ttl + s.staleWhileRevalidate)) {
        return detached()
          .then((c) => this.#storable(plan, c))
          .catch(notStored(ctx));
      }
      leading = true;
      return lead().catch(notStored(ctx));
    };
    const w = plan.windows;
    try {
      const value = await inRequestContext(view.headers, () =>
        this.cache.getOrSet<Loaded>(plan.key, loader, {
          ttl: w.ttl,
          staleWhileRevalidate: w.staleWhileRevalidate,
          grace: w.grace,
          tags: plan.tags,
          // The headers promise exactly these windows: no jitter, no soft timeout.
          jitter: 0,
          softTimeout: 0,
        }),
      );
      if (leading) return LEADER;
      // An uncacheable response of the request that led (or a key written by something else than this
      // integration): run the route for this request.
      if (!isStoredResponse(value)) return RERUN;
      const now = Date.now();
      const result =
        value.storedAt > plan.startedAt ? 'coalesced' : now >= value.storedAt + value.ttl ? 'stale' : 'hit';
      return { kind: 'entry', entry: value, result };
    } catch {
      // The leader answers with its own response (error or not); the others run the route themselves.
      return leading ? LEADER : RERUN;
    }
  }

  /** The stored form of a response, or the reason it may not be stored. */
  store(plan: RoutePlan, r: CapturedResponse, now: number): StoredResponse | UncacheableReason {
    const reason = uncacheableReason(r, plan.rules);
    if (reason !== undefined) return reason;
    return toStored(r as CapturedResponse & { body: Uint8Array }, plan.windows, plan.rules.perUser, now);
  }

  #storable(plan: RoutePlan, r: CapturedResponse): StoredResponse {
    const s = this.store(plan, r, Date.now());
    if (typeof s === 'string') throw new UncacheableResponse(s);
    return s;
  }

  /**
   * Headers OmniCache adds to a response it answers or stores: ETag, Last-Modified and Cache-Control (unless the
   * handler set them), Vary, Age, and the result header. For a stored response, merge over `entry.headers`.
   */
  headers(entry: StoredResponse, plan: RoutePlan, now: number, result: HttpResult): Record<string, string> {
    // An L1 hit returns the same entry object each time: its derived header values are computed once.
    let fixed = this.#fixedHeaders.get(entry);
    if (fixed === undefined) {
      const lm = entry.headers['last-modified'];
      const cc = entry.headers['cache-control'];
      fixed = {
        lastModified: typeof lm === 'string' ? lm : new Date(entry.storedAt).toUTCString(),
        cacheControl: typeof cc === 'string' ? cc : cacheControlFor(entry, entry.private),
      };
      this.#fixedHeaders.set(entry, fixed);
    }
    const h: Record<string, string> = {
      etag: entry.etag,
      'last-modified': fixed.lastModified,
      'cache-control': fixed.cacheControl,
    };
    if (plan.rules.vary.length > 0) h.vary = plan.rules.vary.join(', ');
    h.age = String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
    if (this.resultHeader !== undefined) h[this.resultHeader] = result;
    return h;
  }

  /** Whether the request's validators match the entry (answer 304). */
  notModified(view: RequestView, entry: StoredResponse): boolean {
    const lm = entry.headers['last-modified'];
    const modified =
      typeof lm === 'string' && Number.isFinite(Date.parse(lm)) ? Date.parse(lm) : entry.storedAt;
    return notModified(view.headers, entry.etag, modified);
  }

  /** Runs a mutating route's invalidations (call after a 2xx/3xx response was produced, before it is sent). */
  async invalidate<R>(opts: RouteInvalidateOptions<R>, request: R): Promise<void> {
    const targets: InvalidationTarget[] = [];
    for (const p of perRequest(opts.paths, request) ?? []) targets.push({ tag: pathTag(pathOf(p)) });
    for (const t of perRequest(opts.tags, request) ?? []) targets.push({ tag: t });
    for (const k of perRequest(opts.keys, request) ?? []) targets.push(customKey(k));
    for (const p of perRequest(opts.prefixes, request) ?? []) targets.push({ prefix: BUILT_KEY_PREFIX + p });
    await Promise.all(targets.map((t) => this.#invalidator.invalidate(t)));
  }

  count(view: RequestView, status: number, result: HttpResult): void {
    this.stats.count(view.route, view.method, status, result);
  }

  /** Stops reporting metrics (the cache itself stays open: it belongs to the application). */
  close(): void {
    this.#stopMetrics();
  }
}

/**
 * The Express middleware: `route()` caches a GET route's responses, `invalidate()` invalidates after a
 * successful mutation (before its response is sent). Same behaviour as the Fastify plugin (see ../http/engine.ts).
 *
 * ```ts
 * const http = omnicacheExpress({ cache });
 * app.get('/users/:id', http.route({ ttl: 30_000 }), handler);
 * app.put('/users/:id', http.invalidate({ paths: (req) => [`/users/${req.params.id}`] }), handler);
 * ```
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Cache } from '../../cache.js';
import type { HttpResult } from '../../telemetry/conventions.js';
import { HttpCacheEngine, type RequestView, type RoutePlan, UncacheableResponse } from '../http/engine.js';
import type { HttpCacheOptions, RouteCacheOptions, RouteInvalidateOptions } from '../http/options.js';
import { isRefresh, stripValidators } from '../http/refresh-token.js';
import type { RouteStats } from '../http/route-stats.js';
import { bodyBuffer, type StoredResponse } from '../http/stored-response.js';
import { selfRequest } from './self-request.js';

export interface ExpressCacheOptions extends HttpCacheOptions {
  /** The cache responses are stored in (a namespace view works: `cache.namespace('http')`). */
  cache: Cache;
}

export interface ExpressCache {
  /** Middleware that caches the GET route it is placed on. */
  route(options?: RouteCacheOptions<Request>): RequestHandler;
  /** Middleware for a mutating route: after a 2xx/3xx response is produced, invalidates before sending it. */
  invalidate(options: RouteInvalidateOptions<Request>): RequestHandler;
  /** Per-route response counters (also reported as `omnicache.http.responses`). */
  readonly stats: RouteStats;
  /** Stops reporting metrics (the cache stays open). */
  close(): void;
}

type End = Response['end'];

function viewOf(req: Request): RequestView {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return {
    method: req.method,
    url: req.originalUrl,
    headers: { ...req.headers },
    route: typeof route === 'string' ? req.baseUrl + route : '_unmatched',
  };
}

export function omnicacheExpress(options: ExpressCacheOptions): ExpressCache {
  const { cache, ...httpOptions } = options;
  const engine = new HttpCacheEngine(cache, httpOptions, 'omnicache/express');
  const resultHeader = engine.resultHeader;

  const track = (res: Response, view: RequestView) => {
    const state: { result: HttpResult | undefined } = { result: undefined };
    res.once('finish', () => {
      if (state.result !== undefined) engine.count(view, res.statusCode, state.result);
    });
    return (result: HttpResult) => {
      state.result = result;
      if (resultHeader !== undefined && !res.headersSent) res.setHeader(resultHeader, result);
    };
  };

  /** Runs the rest of the route for this request (inside the loader) and captures what it sends. */
  function lead(
    req: Request,
    res: Response,
    next: NextFunction,
    plan: RoutePlan,
    view: RequestView,
    mark: (r: HttpResult) => void,
  ): Promise<StoredResponse> {
    return new Promise<StoredResponse>((resolve, reject) => {
      let settled = false;
      const give = (error: UncacheableResponse) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const write = res.write;
      const end = res.end;
      const restore = () => {
        res.write = write;
        res.end = end;
      };
      // Written in pieces (a stream): sent as is, never stored.
      res.write = function (this: Response, ...args: Parameters<Response['write']>) {
        restore();
        mark('uncacheable');
        give(new UncacheableResponse('stream'));
        return write.apply(this, args);
      } as Response['write'];
      res.end = function (this: Response, ...args: unknown[]) {
        restore();
        if (settled) return (end as (...a: unknown[]) => Response).apply(this, args);
        const [chunk, encoding] = args;
        const body =
          typeof chunk === 'string'
            ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
            : chunk instanceof Uint8Array
              ? chunk
              : Buffer.alloc(0);
        const now = Date.now();
        const stored = engine.store(plan, { status: res.statusCode, headers: res.getHeaders(), body }, now);
        if (typeof stored === 'string') {
          mark('uncacheable');
          give(new UncacheableResponse(stored));
          return (end as (...a: unknown[]) => Response).apply(this, args);
        }
        settled = true;
        mark('miss');
        if (!res.headersSent) res.set(engine.headers(stored, plan, now, 'miss'));
        resolve(stored);
        if (!res.headersSent && engine.notModified(view, stored)) {
          res.status(304);
          res.removeHeader('content-type');
          res.removeHeader('content-length');
          const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
          return (end as (...a: unknown[]) => Response).apply(this, cb === undefined ? [] : [cb]);
        }
        return (end as (...a: unknown[]) => Response).apply(this, args);
      } as End;
      res.once('close', () => give(new UncacheableResponse('aborted')));
      // The middleware answers conditional requests itself, once it knows the response's validators.
      stripValidators(req.headers);
      next();
    });
  }

  function route(opts: RouteCacheOptions<Request> = {}): RequestHandler {
    engine.checkRoute(opts, undefined);
    return function omnicacheRoute(req, res, next) {
      if (isRefresh(req.headers)) return next();
      const view = viewOf(req);
      const mark = track(res, view);
      const plan = engine.plan(opts, req, view);
      if (plan === undefined) {
        mark('bypass');
        return next();
      }
      engine
        .serve(
          plan,
          view,
          () => lead(req, res, next, plan, view, mark),
          () => selfRequest(req),
        )
        .then((served) => {
          if (served.kind === 'leader') return;
          if (served.kind === 'rerun') {
            mark('uncacheable');
            return next();
          }
          const { entry, result } = served;
          mark(result);
          const extra = engine.headers(entry, plan, Date.now(), result);
          if (engine.notModified(view, entry)) {
            res.status(304).set(extra).end();
            return;
          }
          res.statusCode = entry.status;
          for (const [name, value] of Object.entries(entry.headers)) res.setHeader(name, value);
          for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
          res.end(bodyBuffer(entry));
        })
        .catch(next);
    };
  }

  function invalidate(inv: RouteInvalidateOptions<Request>): RequestHandler {
    engine.checkRoute(undefined, inv);
    return function omnicacheInvalidate(req, res, next) {
      const end = res.end;
      res.end = function (this: Response, ...args: unknown[]) {
        res.end = end;
        const finish = () => (end as (...a: unknown[]) => Response).apply(this, args);
        if (res.statusCode >= 400) return finish();
        engine.invalidate(inv, req).then(finish, (error: unknown) => {
          if (res.headersSent) return finish();
          res.status(500).type('text/plain');
          (end as (...a: unknown[]) => Response).call(
            this,
            `cache invalidation failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
        return this;
      } as End;
      next();
    };
  }

  return { route, invalidate, stats: engine.stats, close: () => engine.close() };
}

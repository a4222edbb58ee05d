/**
 * The Fastify plugin: route-level response caching by a route option, invalidation on mutating routes.
 *
 * ```ts
 * await app.register(omnicache, { cache });
 * app.get('/users/:id', { config: { omnicache: { ttl: 30_000, vary: ['accept-language'] } } }, handler);
 * app.put('/users/:id', { config: { omnicache: { invalidate: { paths: (r) => [`/users/${r.params.id}`] } } } }, h);
 * ```
 */
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import type { Cache } from '../../cache.js';
import type { HttpResult } from '../../telemetry/conventions.js';
import { HttpCacheEngine, type RequestView, type RoutePlan, UncacheableResponse } from '../http/engine.js';
import type { HttpCacheOptions, RouteCacheOptions, RouteInvalidateOptions } from '../http/options.js';
import { isRefresh, refreshHeaders, stripValidators } from '../http/refresh-token.js';
import { bodyBuffer, type CapturedResponse, type StoredResponse } from '../http/stored-response.js';

/** The route option: `{ config: { omnicache: { ...caching, invalidate: {...} } } }`. */
export interface FastifyRouteCache extends RouteCacheOptions<FastifyRequest> {
  /** For mutating routes: what a successful response invalidates (before it is sent). */
  invalidate?: RouteInvalidateOptions<FastifyRequest>;
}

export interface FastifyCacheOptions extends HttpCacheOptions {
  /** The cache responses are stored in (a namespace view works: `cache.namespace('http')`). */
  cache: Cache;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    omnicache?: FastifyRouteCache;
  }
}

/** A request that runs the handler for the cache (inside the loader). */
interface Leader {
  plan: RoutePlan;
  view: RequestView;
  resolve: (entry: StoredResponse) => void;
  reject: (error: Error) => void;
  settled: boolean;
  /** What the handler threw (rethrown to Fastify's error handling). */
  error?: unknown;
}

function viewOf(request: FastifyRequest): RequestView {
  return {
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    route: request.routeOptions.url ?? '_unmatched',
  };
}

function bytesOf(payload: unknown): Uint8Array | undefined {
  if (payload === null || payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return payload;
  return undefined; // a stream: sent as is, never stored
}

const plugin: FastifyPluginAsync<FastifyCacheOptions> = async (app, options) => {
  const { cache, ...httpOptions } = options;
  const engine = new HttpCacheEngine(cache, httpOptions);
  const leaders = new WeakMap<FastifyRequest, Leader>();
  const results = new WeakMap<FastifyRequest, { view: RequestView; result: HttpResult }>();
  const resultHeader = engine.resultHeader;

  const mark = (request: FastifyRequest, reply: FastifyReply, view: RequestView, result: HttpResult) => {
    results.set(request, { view, result });
    if (resultHeader !== undefined) reply.header(resultHeader, result);
  };

  function lead(
    self: FastifyInstance,
    handler: RouteHandlerMethod,
    request: FastifyRequest,
    reply: FastifyReply,
    plan: RoutePlan,
    view: RequestView,
  ): Promise<StoredResponse> {
    return new Promise<StoredResponse>((resolve, reject) => {
      const leader: Leader = { plan, view, resolve, reject, settled: false };
      leaders.set(request, leader);
      const fail = (error: unknown) => {
        if (leader.settled) return;
        leader.settled = true;
        leader.error = error;
        mark(request, reply, view, 'uncacheable');
        reject(new UncacheableResponse('handler-error'));
      };
      reply.raw.once('close', () => {
        if (!leader.settled) {
          leader.settled = true;
          reject(new UncacheableResponse('aborted'));
        }
      });
      // The integration answers conditional requests itself, once it knows the response's validators.
      stripValidators(request.headers);
      try {
        const out = handler.call(self, request, reply) as unknown;
        Promise.resolve(out).then((value) => {
          if (value !== undefined && value !== reply && !reply.sent) reply.send(value);
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  function detached(request: FastifyRequest): Promise<CapturedResponse> {
    return app
      .inject({
        method: 'GET',
        url: request.url,
        headers: refreshHeaders(request.headers),
      })
      .then((res) => ({ status: res.statusCode, headers: res.headers, body: res.rawPayload }));
  }

  function cachedHandler(cfg: FastifyRouteCache, handler: RouteHandlerMethod): RouteHandlerMethod {
    return async function omnicacheHandler(this: FastifyInstance, request, reply) {
      if (isRefresh(request.headers)) return handler.call(this, request, reply);
      const view = viewOf(request);
      const plan = engine.plan(cfg, request, view);
      if (plan === undefined) {
        mark(request, reply, view, 'bypass');
        return handler.call(this, request, reply);
      }
      const served = await engine.serve(
        plan,
        view,
        () => lead(this, handler, request, reply, plan, view),
        () => detached(request),
      );
      if (served.kind === 'leader') {
        const leader = leaders.get(request);
        if (leader?.error !== undefined) throw leader.error;
        return reply;
      }
      if (served.kind === 'rerun') {
        mark(request, reply, view, 'uncacheable');
        return handler.call(this, request, reply);
      }
      const { entry, result } = served;
      results.set(request, { view, result });
      const extra = engine.headers(entry, plan, Date.now(), result);
      if (engine.notModified(view, entry)) return reply.code(304).headers(extra).send();
      return reply.code(entry.status).headers(entry.headers).headers(extra).send(bodyBuffer(entry));
    };
  }

  function invalidating(inv: RouteInvalidateOptions<FastifyRequest>): onSendHookHandler {
    return async (request, reply, payload) => {
      if (reply.statusCode < 400) await engine.invalidate(inv, request);
      return payload;
    };
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    const cfg = (route.config as { omnicache?: FastifyRouteCache } | undefined)?.omnicache;
    if (cfg === undefined) return;
    engine.checkRoute(cfg, cfg.invalidate);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // HEAD (Fastify adds one per GET) passes through the wrapper too, to be marked and counted as a bypass.
    if (methods.includes('GET') || methods.includes('HEAD'))
      route.handler = cachedHandler(cfg, route.handler);
    if (cfg.invalidate !== undefined) {
      const own =
        route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
      route.onSend = [...own, invalidating(cfg.invalidate)];
    }
  });

  // The leader's response, as serialized: stored when it may be, with the cache's headers added; a 304 when the
  // request's validators match it.
  app.addHook('onSend', async (request, reply, payload) => {
    const leader = leaders.get(request);
    if (leader === undefined || leader.settled) return payload;
    leader.settled = true;
    const now = Date.now();
    const stored = engine.store(
      leader.plan,
      { status: reply.statusCode, headers: reply.getHeaders(), body: bytesOf(payload) },
      now,
    );
    if (typeof stored === 'string') {
      mark(request, reply, leader.view, 'uncacheable');
      leader.reject(new UncacheableResponse(stored));
      return payload;
    }
    results.set(request, { view: leader.view, result: 'miss' });
    reply.headers(engine.headers(stored, leader.plan, now, 'miss'));
    leader.resolve(stored);
    if (engine.notModified(leader.view, stored)) {
      reply.code(304);
      reply.removeHeader('content-type');
      reply.removeHeader('content-length');
      return null;
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const r = results.get(request);
    if (r !== undefined) engine.count(r.view, reply.statusCode, r.result);
  });

  app.addHook('onClose', async () => engine.close());
};

// Not encapsulated (what fastify-plugin does): the hooks must see the routes registered after the plugin.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'omnicache',
});

export const omnicacheFastify: FastifyPluginAsync<FastifyCacheOptions> = plugin;

/**
 * The same routes on a real Fastify server and a real Express server (127.0.0.1, port 0), from one description,
 * so one suite checks that both integrations behave the same.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { MeterProvider } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import type { Cache } from '../../src/cache.js';
import { omnicacheExpress } from '../../src/express.js';
import { omnicacheFastify } from '../../src/fastify.js';

export interface HandlerInput {
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface HandlerOutput {
  status?: number;
  headers?: Record<string, string>;
  body: string | object;
}

type Fn<T> = (r: HandlerInput) => T;

export interface RouteSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Express/Fastify path syntax (`/items/:id`). */
  path: string;
  cache?: {
    ttl?: number;
    staleWhileRevalidate?: number;
    grace?: number;
    vary?: string[];
    user?: Fn<string | undefined>;
    tags?: Fn<string[]>;
    statuses?: number[];
    cacheSetCookie?: boolean;
  };
  invalidate?: { paths?: Fn<string[]>; tags?: string[]; prefixes?: string[] };
  /** Throws to produce an error response (500). */
  handler: (r: HandlerInput) => Promise<HandlerOutput>;
}

export interface Started {
  base: string;
  close(): Promise<void>;
}

export type Framework = 'fastify' | 'express' | 'express4';

// Express 4 (the peer range covers 4.21+ and 5), installed under an alias; same API as far as the middleware goes.
const express4 = createRequire(import.meta.url)('express4') as typeof express;

type AnyReq = { params: unknown; headers: IncomingHttpHeaders };
const adapt = <T>(f: Fn<T> | undefined) => (f === undefined ? undefined : (req: AnyReq) => f(inputOf(req)));

const inputOf = (req: AnyReq): HandlerInput => ({
  params: (req.params ?? {}) as Record<string, string>,
  headers: req.headers,
});

function cacheOptions(spec: RouteSpec) {
  const c = spec.cache;
  if (c === undefined) return undefined;
  const { user, tags, ...rest } = c;
  return {
    ...rest,
    ...(user ? { user: adapt(user)! } : {}),
    ...(tags ? { tags: adapt(tags)! } : {}),
  };
}

function invalidateOptions(spec: RouteSpec) {
  const i = spec.invalidate;
  if (i === undefined) return undefined;
  const { paths, ...rest } = i;
  return { ...rest, ...(paths ? { paths: adapt(paths)! } : {}) };
}

export async function startServer(
  framework: Framework,
  cache: Cache,
  routes: RouteSpec[],
  meterProvider: MeterProvider | false = false,
): Promise<Started> {
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(omnicacheFastify, { cache, meterProvider });
    for (const spec of routes) {
      const omnicache = {
        ...cacheOptions(spec),
        ...(spec.invalidate ? { invalidate: invalidateOptions(spec) } : {}),
      };
      app.route({
        method: spec.method,
        url: spec.path,
        ...(spec.cache || spec.invalidate ? { config: { omnicache } } : {}),
        handler: async (req, reply) => {
          const out = await spec.handler(inputOf(req));
          reply.code(out.status ?? 200);
          if (out.headers) reply.headers(out.headers);
          return reply.send(out.body);
        },
      });
    }
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return { base, close: () => app.close() };
  }
  const http = omnicacheExpress({ cache, meterProvider });
  const app = framework === 'express4' ? express4() : express();
  for (const spec of routes) {
    const middleware = [];
    if (spec.cache) middleware.push(http.route(cacheOptions(spec)));
    if (spec.invalidate) middleware.push(http.invalidate(invalidateOptions(spec)!));
    const method = spec.method.toLowerCase() as 'get' | 'put' | 'post' | 'delete';
    app[method](spec.path, ...middleware, async (req, res, next) => {
      try {
        const out = await spec.handler(inputOf(req));
        res.status(out.status ?? 200);
        if (out.headers) res.set(out.headers);
        if (typeof out.body === 'string') res.type('text/plain').send(out.body);
        else res.json(out.body);
      } catch (error) {
        next(error);
      }
    });
  }
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'handler failed' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        http.close();
      }),
  };
}

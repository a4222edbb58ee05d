/**
 * One HTTP server for the http bench, in its own process (the load generator must not share its event loop):
 * `tsx server.ts <variant>` prints `{"port":N}` once listening. Routes: GET /items/:id (a ~4 KB JSON render, the
 * route being measured), GET /slow/:id (50 ms, for the thundering-herd count), GET /calls (handler runs so far).
 */
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type RequestHandler } from 'express';
import Fastify from 'fastify';
import { createCache } from 'omnicache';
import { omnicacheExpress } from 'omnicache/express';
import { omnicacheFastify } from 'omnicache/fastify';

const require = createRequire(import.meta.url);
const variant = process.argv[2] ?? '';
const TTL_S = 600;
let calls = 0;

function render(id: string) {
  calls++;
  const items = Array.from({ length: 40 }, (_, i) => ({
    id: `${id}-${i}`,
    name: `item ${i} of ${id}`,
    price: i * 1.5,
  }));
  return { id, items };
}

async function slow(id: string) {
  calls++;
  await sleep(50);
  return { id, slow: true };
}

function cache() {
  return createCache({ name: 'bench-http', l1: { capacity: 10_000 } });
}

async function startFastify(cached: boolean): Promise<number> {
  const app = Fastify();
  if (cached)
    await app.register(omnicacheFastify, { cache: cache(), meterProvider: false, ttl: TTL_S * 1000 });
  const config = cached ? { config: { omnicache: {} } } : {};
  app.get<{ Params: { id: string } }>('/items/:id', config, async (req) => render(req.params.id));
  app.get<{ Params: { id: string } }>('/slow/:id', config, async (req) => slow(req.params.id));
  app.get('/calls', async () => ({ calls }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

async function startExpress(kind: 'plain' | 'omnicache' | 'apicache' | 'route-cache'): Promise<number> {
  const app = express();
  let mw: RequestHandler = (_req, _res, next) => next();
  if (kind === 'omnicache')
    mw = omnicacheExpress({ cache: cache(), meterProvider: false }).route({ ttl: TTL_S * 1000 });
  if (kind === 'apicache')
    mw = (require('apicache') as { middleware: (d: string) => RequestHandler }).middleware('10 minutes');
  if (kind === 'route-cache')
    mw = (require('route-cache') as { cacheSeconds: (s: number) => RequestHandler }).cacheSeconds(TTL_S);
  app.get('/items/:id', mw, (req, res) => {
    res.json(render(String(req.params.id)));
  });
  app.get('/slow/:id', mw, (req, res, next) => {
    slow(String(req.params.id)).then((v) => res.json(v), next);
  });
  app.get('/calls', (_req, res) => {
    res.json({ calls });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return (server.address() as { port: number }).port;
}

const starters: Record<string, () => Promise<number>> = {
  fastify: () => startFastify(false),
  'fastify+omnicache': () => startFastify(true),
  express: () => startExpress('plain'),
  'express+omnicache': () => startExpress('omnicache'),
  'express+apicache': () => startExpress('apicache'),
  'express+route-cache': () => startExpress('route-cache'),
};

const start = starters[variant];
if (start === undefined) {
  process.stderr.write(`variant must be one of ${Object.keys(starters).join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ port: await start() })}\n`);

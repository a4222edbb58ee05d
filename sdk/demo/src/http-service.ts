/**
 * The demo's HTTP service: a Fastify app whose item route is cached by omnicache/fastify, with a small client
 * that keeps asking it for items (a skewed, slowly drifting set) and now and then updates one, so the route's
 * hits, misses, coalesced requests and invalidations show up on /metrics and in `omnicache stats`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Bus, type Cache, createCache } from 'omnicache';
import { omnicacheFastify } from 'omnicache/fastify';
import type { Telemetry } from 'omnicache/otel';

export interface DemoHttp {
  /** Base URL of the service, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The cache the route's responses are stored in ("demo-http"). */
  readonly cache: Cache;
  /** Requests the client made. */
  readonly requests: () => number;
  stop(): Promise<void>;
}

const ITEMS = 300;
const CLIENTS = 2;

function itemRoutes(app: FastifyInstance, version: Map<string, number>): void {
  app.get<{ Params: { id: string } }>(
    '/items/:id',
    { config: { omnicache: { ttl: 10_000, staleWhileRevalidate: 20_000, tags: () => ['items'] } } },
    async (request) => {
      await sleep(5); // the "database"
      const id = request.params.id;
      return { id, version: version.get(id) ?? 0, renderedAt: new Date().toISOString() };
    },
  );
  app.put<{ Params: { id: string } }>(
    '/items/:id',
    { config: { omnicache: { invalidate: { paths: (request) => [request.url] } } } },
    async (request) => {
      const id = request.params.id;
      version.set(id, (version.get(id) ?? 0) + 1);
      return { id, version: version.get(id) };
    },
  );
}

/** `bus`: PUTs then invalidate the item's cached responses on every instance sharing it, not only here. */
export async function startDemoHttp(telemetry: Telemetry, bus?: Bus): Promise<DemoHttp> {
  const cache = createCache({ name: 'demo-http', l1: { capacity: 200 }, ...(bus && { bus }) });
  telemetry.instrument(cache);
  const app = Fastify();
  await app.register(omnicacheFastify, { cache, meterProvider: telemetry.meterProviders });
  itemRoutes(app, new Map());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let stopping = false;
  let count = 0;
  const client = async () => {
    while (!stopping) {
      const id = Math.floor(ITEMS * Math.random() ** 2);
      const method = Math.random() < 0.01 ? 'PUT' : 'GET';
      try {
        const res = await fetch(`${url}/items/${id}`, { method });
        await res.arrayBuffer();
        count++;
      } catch {
        if (!stopping) await sleep(100);
      }
      await sleep(20);
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  return {
    url,
    cache,
    requests: () => count,
    async stop() {
      stopping = true;
      await Promise.all(clients);
      await app.close();
      await cache.close();
    },
  };
}

import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createCache } from '../../src/cache.js';
import { ConfigError } from '../../src/errors.js';
import { ATTR, METRICS, SPANS } from '../../src/telemetry/conventions.js';
import { instrument } from '../../src/telemetry/instrument.js';
import { get, send, sleep } from './http-client.js';
import { type Framework, type RouteSpec, type Started, startServer } from './servers.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

const started: Started[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.close();
});

describe.each<Framework>(['fastify', 'express', 'express4'])(
  'omnicache/%s: a real server on 127.0.0.1, driven over HTTP',
  (fw) => {
    async function start(routes: RouteSpec[], cache?: Cache, meterProvider?: MeterProvider) {
      const c = cache ?? createCache({ name: 'http', l1: { capacity: 100 } });
      const s = await startServer(fw, c, routes, meterProvider ?? false);
      started.push(s);
      return { base: s.base, cache: c };
    }

    it('miss then hit: the handler runs once; ETag, Cache-Control with the windows, Age, result header', async () => {
      let calls = 0;
      const { base } = await start([
        {
          method: 'GET',
          path: '/items/:id',
          cache: { ttl: 30_000, staleWhileRevalidate: 10_000, grace: 60_000 },
          handler: async ({ params }) => {
            calls++;
            return { body: { id: params.id, n: calls } };
          },
        },
      ]);
      const a = await get(base, '/items/1');
      const b = await get(base, '/items/1');
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toEqual({ id: '1', n: 1 });
      expect(b.body).toBe(a.body);
      expect(calls).toBe(1);
      expect(a.headers['x-omnicache']).toBe('miss');
      expect(b.headers['x-omnicache']).toBe('hit');
      expect(b.headers['cache-control']).toBe(
        'public, max-age=30, stale-while-revalidate=10, stale-if-error=60',
      );
      expect(a.headers['cache-control']).toBe(b.headers['cache-control']);
      expect(b.headers.etag).toBeTruthy();
      expect(b.headers.etag).toBe(a.headers.etag);
      expect(b.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(b.headers['content-length']).toBe(String(Buffer.byteLength(a.body)));
      expect(b.headers.age).toBe('0');
      expect(b.headers['last-modified']).toBe(a.headers['last-modified']);
      await get(base, '/items/2');
      expect(calls).toBe(2);
    });

    it('conditional requests: If-None-Match and If-Modified-Since answer 304 without a body, on hits and on the leader', async () => {
      let calls = 0;
      const { base, cache } = await start([
        {
          method: 'GET',
          path: '/doc',
          cache: { ttl: 30_000 },
          handler: async () => {
            calls++;
            return { body: 'same content' };
          },
        },
      ]);
      const first = await get(base, '/doc');
      const etag = String(first.headers.etag);
      const hit = await get(base, '/doc', { 'if-none-match': etag });
      expect(hit.status).toBe(304);
      expect(hit.body).toBe('');
      expect(hit.headers.etag).toBe(etag);
      expect(hit.headers['cache-control']).toBe('public, max-age=30');
      expect(
        (await get(base, '/doc', { 'if-none-match': `"other", W/${etag.replace(/^W\//, '')}` })).status,
      ).toBe(304);
      expect((await get(base, '/doc', { 'if-none-match': '"other"' })).status).toBe(200);
      const lm = String(first.headers['last-modified']);
      expect((await get(base, '/doc', { 'if-modified-since': lm })).status).toBe(304);
      expect((await get(base, '/doc', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(
        200,
      );
      // The leader (a miss) answers 304 too when the regenerated content has the client's ETag.
      await cache.clear();
      const leader = await get(base, '/doc', { 'if-none-match': etag });
      expect(leader.status).toBe(304);
      expect(leader.body).toBe('');
      expect(leader.headers['x-omnicache']).toBe('miss');
      expect(calls).toBe(2);
      // HEAD is answered by the framework from the handler, never from or into the cache
      const head = await send(base, 'HEAD', '/doc');
      expect([head.status, head.body, head.headers['x-omnicache']]).toEqual([200, '', 'bypass']);
      expect(calls).toBe(3);
      const after = await get(base, '/doc');
      expect(after.body).toBe('same content');
      expect(after.headers['x-omnicache']).toBe('hit');
    });

    it('concurrent identical requests: one handler call, every client gets the same response', async () => {
      let calls = 0;
      const { base } = await start([
        {
          method: 'GET',
          path: '/slow',
          cache: { ttl: 30_000 },
          handler: async () => {
            calls++;
            await sleep(100);
            return { body: { rendered: calls } };
          },
        },
      ]);
      const all = await Promise.all(Array.from({ length: 25 }, () => get(base, '/slow')));
      expect(calls).toBe(1);
      expect(new Set(all.map((r) => r.body))).toEqual(new Set(['{"rendered":1}']));
      expect(all.every((r) => r.status === 200)).toBe(true);
      const results = all.map((r) => r.headers['x-omnicache']);
      expect(results.filter((r) => r === 'miss')).toHaveLength(1);
      // the others waited for it, or (arriving after it was stored, on a loaded machine) hit it
      const coalesced = results.filter((r) => r === 'coalesced').length;
      expect(coalesced + results.filter((r) => r === 'hit').length).toBe(24);
      expect(coalesced).toBeGreaterThan(0);
    });

    it('Vary headers and users select variants; per-user responses are private', async () => {
      let calls = 0;
      const { base } = await start([
        {
          method: 'GET',
          path: '/greeting',
          cache: {
            vary: ['Accept-Language'],
            user: ({ headers }) => headers.authorization?.replace(/^Bearer /, ''),
          },
          handler: async ({ headers }) => {
            calls++;
            return {
              body: `${headers['accept-language'] === 'fr' ? 'bonjour' : 'hello'} ${headers.authorization ?? 'guest'}`,
            };
          },
        },
      ]);
      const en = await get(base, '/greeting', { 'accept-language': 'en' });
      const fr = await get(base, '/greeting', { 'accept-language': 'fr' });
      expect([en.body, fr.body]).toEqual(['hello guest', 'bonjour guest']);
      expect(en.headers.vary).toBe('accept-language');
      expect(en.headers['cache-control']).toMatch(/^public/);
      expect((await get(base, '/greeting', { 'accept-language': 'fr' })).headers['x-omnicache']).toBe('hit');
      const ada = await get(base, '/greeting', { 'accept-language': 'en', authorization: 'Bearer ada' });
      const bob = await get(base, '/greeting', { 'accept-language': 'en', authorization: 'Bearer bob' });
      expect(ada.body).toBe('hello Bearer ada');
      expect(bob.body).toBe('hello Bearer bob');
      expect(ada.headers['cache-control']).toBe('private, max-age=60');
      const again = await get(base, '/greeting', { 'accept-language': 'en', authorization: 'Bearer ada' });
      expect([again.body, again.headers['x-omnicache']]).toEqual(['hello Bearer ada', 'hit']);
      expect(calls).toBe(4);
    });

    it('never stores Set-Cookie, errors, no-store or private responses (not counted as failed loads); a request with no-store bypasses', async () => {
      const reader = new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 60_000,
      });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const cache = createCache({ name: 'http-uncacheable', l1: { capacity: 100 } });
      const inst = instrument(cache, { meterProvider, tracerProvider: false });
      const calls: Record<string, number> = {};
      const route = (
        path: string,
        out: () => Promise<{ status?: number; headers?: Record<string, string>; body: string }>,
        cache: RouteSpec['cache'] = { ttl: 30_000 },
      ): RouteSpec => ({
        method: 'GET',
        path,
        cache,
        handler: async () => {
          calls[path] = (calls[path] ?? 0) + 1;
          return out();
        },
      });
      const { base } = await start(
        [
          route('/cookie', async () => ({ headers: { 'set-cookie': 'session=abc' }, body: 'with cookie' })),
          route('/boom', async () => {
            throw new Error('database down');
          }),
          route('/missing', async () => ({ status: 404, body: 'nope' })),
          route('/nostore', async () => ({ headers: { 'cache-control': 'no-store' }, body: 'secret' })),
          route('/private', async () => ({
            headers: { 'cache-control': 'private, max-age=5' },
            body: 'mine',
          })),
          route('/vary-star', async () => ({ headers: { vary: '*' }, body: 'varies' })),
          route('/plain', async () => ({ body: 'plain' })),
          route('/cookie-ok', async () => ({ headers: { 'set-cookie': 'theme=dark' }, body: 'ok' }), {
            cacheSetCookie: true,
          }),
          route('/gone', async () => ({ status: 404, body: 'gone' }), { statuses: [200, 404] }),
        ],
        cache,
      );
      for (let i = 0; i < 2; i++) {
        const cookie = await get(base, '/cookie');
        expect(cookie.headers['set-cookie']).toBe('session=abc');
        expect(cookie.headers['x-omnicache']).toBe('uncacheable');
        const boom = await get(base, '/boom');
        expect([boom.status, boom.headers['x-omnicache']]).toEqual([500, 'uncacheable']);
        expect((await get(base, '/missing')).status).toBe(404);
        expect((await get(base, '/nostore')).body).toBe('secret');
        expect((await get(base, '/private')).body).toBe('mine');
        expect((await get(base, '/vary-star')).body).toBe('varies');
        const bypass = await get(base, '/plain', { 'cache-control': 'no-store' });
        expect(bypass.headers['x-omnicache']).toBe('bypass');
        expect((await get(base, '/cookie-ok')).headers['set-cookie']).toBe('theme=dark');
        const gone = await get(base, '/gone');
        expect([gone.status, gone.body]).toEqual([404, 'gone']);
      }
      expect(calls).toEqual({
        '/cookie': 2,
        '/boom': 2,
        '/missing': 2,
        '/nostore': 2,
        '/private': 2,
        '/vary-star': 2,
        '/plain': 2,
        '/cookie-ok': 1,
        '/gone': 1,
      });
      // bypassing requests neither read nor write: the next plain GET still misses, then hits
      expect((await get(base, '/plain')).headers['x-omnicache']).toBe('miss');
      expect((await get(base, '/plain')).headers['x-omnicache']).toBe('hit');
      // An uncacheable response is the loader's answer, stored nowhere (ctx.skipCache): a successful load, never
      // a loader error or a failed request (which would feed the loader-error alert).
      const stats = cache.stats();
      expect(stats.loader.error).toBe(0);
      expect(stats.requests.errors).toBe(0);
      expect(stats.loader.success).toBe(stats.loader.calls);
      expect(stats.loader.calls).toBe(2 * 6 + 3); // 6 uncacheable routes twice; /cookie-ok, /gone, /plain once
      await sleep(20); // Express finishes the response before the load settles
      const { resourceMetrics } = await reader.collect();
      const loads = resourceMetrics.scopeMetrics
        .flatMap((sm) => sm.metrics)
        .find((m) => m.descriptor.name === METRICS.loaderCalls.name)!;
      const byOutcome = Object.fromEntries(
        loads.dataPoints.map((p) => [p.attributes[ATTR.outcome], p.value]),
      );
      expect(byOutcome).toEqual({ success: 15, error: 0, timeout: 0 });
      inst.stop();
      await meterProvider.shutdown();
    });

    it("routes without windows use the cache's own defaults (cache.defaults), in the store and in the headers", async () => {
      const cache = createCache({
        name: 'http-defaults',
        l1: { capacity: 10 },
        defaults: { ttl: 45_000, staleWhileRevalidate: 5_000, grace: 90_000 },
      });
      expect(cache.defaults).toMatchObject({ ttl: 45_000, staleWhileRevalidate: 5_000, grace: 90_000 });
      const { base } = await start(
        [{ method: 'GET', path: '/d', cache: {}, handler: async () => ({ body: 'd' }) }],
        cache,
      );
      await get(base, '/d');
      const hit = await get(base, '/d');
      expect(hit.headers['x-omnicache']).toBe('hit');
      expect(hit.headers['cache-control']).toBe(
        'public, max-age=45, stale-while-revalidate=5, stale-if-error=90',
      );
    });

    it('concurrent requests behind an uncacheable response each run the handler and get their own answer', async () => {
      let calls = 0;
      const { base } = await start([
        {
          method: 'GET',
          path: '/session',
          cache: {},
          handler: async () => {
            const n = ++calls;
            await sleep(50);
            return { headers: { 'set-cookie': `sid=${n}` }, body: `session ${n}` };
          },
        },
      ]);
      const all = await Promise.all(Array.from({ length: 5 }, () => get(base, '/session')));
      expect(calls).toBe(5);
      expect(new Set(all.map((r) => r.body)).size).toBe(5);
      for (const r of all) expect(r.headers['set-cookie']).toBe(`sid=${r.body.split(' ')[1]}`);
    });

    it('a mutating route invalidates by path (every variant) and by tag before its response is sent', async () => {
      const db = new Map([
        ['1', 'one'],
        ['2', 'two'],
      ]);
      let reads = 0;
      const { base } = await start([
        {
          method: 'GET',
          path: '/items/:id',
          cache: { vary: ['accept'], tags: ({ params }) => [`item:${params.id}`, 'items'] },
          handler: async ({ params }) => {
            reads++;
            return { body: db.get(params.id ?? '') ?? 'none' };
          },
        },
        {
          method: 'PUT',
          path: '/items/:id',
          invalidate: { paths: ({ params }) => [`/items/${params.id}`] },
          handler: async ({ params }) => {
            db.set(params.id ?? '', 'changed');
            return { body: { ok: true } };
          },
        },
        {
          method: 'POST',
          path: '/reset',
          invalidate: { tags: ['items'] },
          handler: async () => {
            db.set('1', 'reset');
            db.set('2', 'reset');
            return { body: { ok: true } };
          },
        },
        {
          method: 'DELETE',
          path: '/items/:id',
          invalidate: { tags: ['items'] },
          handler: async () => ({ status: 403, body: { error: 'forbidden' } }),
        },
      ]);
      await get(base, '/items/1', { accept: 'text/plain' });
      await get(base, '/items/1', { accept: 'application/json' });
      await get(base, '/items/2');
      expect(reads).toBe(3);
      expect((await send(base, 'PUT', '/items/1')).status).toBe(200);
      // both variants of /items/1 are gone, /items/2 is not
      expect((await get(base, '/items/1', { accept: 'text/plain' })).body).toBe('changed');
      expect((await get(base, '/items/1', { accept: 'application/json' })).body).toBe('changed');
      expect((await get(base, '/items/2')).headers['x-omnicache']).toBe('hit');
      expect(reads).toBe(5);
      // a failed mutation invalidates nothing
      expect((await send(base, 'DELETE', '/items/2')).status).toBe(403);
      expect((await get(base, '/items/2')).headers['x-omnicache']).toBe('hit');
      await send(base, 'POST', '/reset');
      expect((await get(base, '/items/2')).body).toBe('reset');
      expect((await get(base, '/items/1', { accept: 'text/plain' })).body).toBe('reset');
    });

    it('bad route options and prefix invalidation without cache.invalidate({ prefix }) fail at registration', async () => {
      const cache = createCache({ name: 'p', l1: { capacity: 10 } });
      // A cache source without invalidate() (an older omnicache, or a stand-in): prefixes cannot be honoured.
      const legacy = Object.assign(createCache({ name: 'p', l1: { capacity: 10 } }), {
        invalidate: undefined,
      }) as unknown as Cache;
      const handler = async () => ({ body: 'x' });
      await expect(
        startServer(fw, legacy, [
          { method: 'POST', path: '/x', invalidate: { prefixes: ['/users/'] }, handler },
        ]),
      ).rejects.toThrow(ConfigError);
      await expect(
        startServer(fw, cache, [{ method: 'GET', path: '/y', cache: { ttl: -1 }, handler }]),
      ).rejects.toThrow(/ttl must be a positive number/);
      await expect(startServer(fw, undefined as unknown as Cache, [])).rejects.toThrow(
        /omnicache\/(fastify|express) needs the cache to store responses in/,
      );
    });

    it('a cache with invalidate(key | { tag } | { prefix }) is used for every invalidation; prefixes cover GET URLs', async () => {
      const cache = createCache({ name: 'inv', l1: { capacity: 10 } });
      const targets: unknown[] = [];
      // The shape of the invalidation API being added to the cache: the adapter prefers it when present.
      Object.assign(cache, {
        async invalidate(t: string | { tag: string } | { prefix: string }) {
          targets.push(t);
          if (typeof t === 'string') return cache.delete(t);
          if ('tag' in t) return cache.deleteByTag(t.tag);
          return cache.clear();
        },
      });
      const { base } = await start(
        [
          {
            method: 'GET',
            path: '/users/:id',
            cache: {},
            handler: async ({ params }) => ({ body: `u${params.id}` }),
          },
          {
            method: 'POST',
            path: '/users',
            invalidate: { prefixes: ['/users/'], tags: ['people'], paths: () => ['/users/1?x=1'] },
            handler: async () => ({ body: 'ok' }),
          },
        ],
        cache,
      );
      await get(base, '/users/1');
      expect((await get(base, '/users/1')).headers['x-omnicache']).toBe('hit');
      await send(base, 'POST', '/users');
      expect(targets).toEqual([
        { tag: 'http:path:/users/1' },
        { tag: 'people' },
        { prefix: 'http:GET:/users/' },
      ]);
      expect((await get(base, '/users/1')).headers['x-omnicache']).toBe('miss');
    });

    it('stale-while-revalidate: a stale entry is served at once and refreshed once in the background', async () => {
      let version = 0;
      let calls = 0;
      const seen: (string | undefined)[] = [];
      const { base } = await start([
        {
          method: 'GET',
          path: '/news',
          cache: { ttl: 1000, staleWhileRevalidate: 30_000 },
          handler: async ({ headers }) => {
            calls++;
            seen.push(`${headers['if-none-match']} ${headers['cache-control']}`);
            await sleep(150);
            return { body: `v${version}` };
          },
        },
      ]);
      expect((await get(base, '/news')).body).toBe('v0');
      version = 1;
      await sleep(1100);
      const t0 = performance.now();
      const stale = await Promise.all(
        Array.from({ length: 5 }, () => get(base, '/news', { 'if-none-match': '"x"' })),
      );
      const elapsed = performance.now() - t0;
      expect(stale.map((r) => r.body)).toEqual(['v0', 'v0', 'v0', 'v0', 'v0']);
      expect(stale.every((r) => r.headers['x-omnicache'] === 'stale')).toBe(true);
      expect(Number(stale[0]!.headers.age)).toBeGreaterThanOrEqual(1);
      expect(elapsed).toBeLessThan(140); // not waiting for the 150 ms handler
      await sleep(400);
      const fresh = await get(base, '/news');
      expect(fresh.body).toBe('v1');
      expect(fresh.headers['x-omnicache']).toBe('hit');
      expect(calls).toBe(2);
      // the background refresh asked for a full, uncached response (no validators, no-store)
      expect(seen).toEqual(['undefined undefined', 'undefined no-store']);
    });

    it('grace (stale-if-error): a failing handler makes later requests get the stale entry while the cache backs off', async () => {
      let calls = 0;
      let failing = false;
      const cache = createCache({ name: 'http-grace', l1: { capacity: 10 } });
      const { base } = await start(
        [
          {
            method: 'GET',
            path: '/quote',
            cache: { ttl: 300, grace: 60_000 },
            handler: async () => {
              calls++;
              if (failing) throw new Error('origin down');
              return { body: 'q1' };
            },
          },
        ],
        cache,
      );
      expect((await get(base, '/quote')).body).toBe('q1');
      await sleep(400);
      failing = true;
      expect((await get(base, '/quote')).status).toBe(500); // the request that ran the handler gets its own error
      const later = await get(base, '/quote');
      expect([later.status, later.body, later.headers['x-omnicache']]).toEqual([200, 'q1', 'stale']);
      expect(calls).toBe(2); // backing off: the handler was not run again
      // falling back to the stale entry is a failed load (it is what grace is for)
      expect(cache.stats().loader.error).toBe(1);
    });

    it("the request's traceparent is the parent of get_or_set; the handler runs inside the loader span", async () => {
      spans.reset();
      const cache = createCache({ name: 'traced-http', l1: { capacity: 10 } });
      const inst = instrument(cache, { meterProvider: new MeterProvider(), tracerProvider });
      let inHandler: { traceId?: string; spanId?: string } = {};
      const { base } = await start(
        [
          {
            method: 'GET',
            path: '/t',
            cache: {},
            handler: async () => {
              const sc = trace.getActiveSpan()?.spanContext();
              inHandler = { traceId: sc?.traceId, spanId: sc?.spanId };
              return { body: 'traced' };
            },
          },
        ],
        cache,
      );
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parent = '00f067aa0ba902b7';
      await get(base, '/t', { traceparent: `00-${traceId}-${parent}-01` });
      const getOrSet = spans.getFinishedSpans().find((s) => s.name === SPANS.getOrSet)!;
      const loader = spans.getFinishedSpans().find((s) => s.name === SPANS.loader)!;
      expect(getOrSet.spanContext().traceId).toBe(traceId);
      expect(getOrSet.parentSpanContext?.spanId).toBe(parent);
      expect(loader.parentSpanContext?.spanId).toBe(getOrSet.spanContext().spanId);
      expect(inHandler).toEqual({ traceId, spanId: loader.spanContext().spanId });
      inst.stop();
    });

    it('omnicache.http.responses counts by route template, method, status and result', async () => {
      const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const cache = createCache({ name: 'metered', l1: { capacity: 10 } });
      const { base } = await start(
        [{ method: 'GET', path: '/u/:id', cache: {}, handler: async () => ({ body: 'u' }) }],
        cache,
        meterProvider,
      );
      await get(base, '/u/1');
      await get(base, '/u/1');
      const etag = String((await get(base, '/u/1')).headers.etag);
      await get(base, '/u/1', { 'if-none-match': etag });
      await get(base, '/u/2', { 'cache-control': 'no-store' });
      await sleep(20); // Express counts on 'finish'
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === 'omnicache.http.responses')!;
      const points = metric.dataPoints.map((p) => ({
        route: p.attributes[ATTR.httpRoute],
        method: p.attributes[ATTR.httpMethod],
        status: p.attributes[ATTR.httpStatus],
        result: p.attributes[ATTR.httpResult],
        cache: p.attributes[ATTR.cache],
        value: p.value,
      }));
      expect(points).toEqual(
        expect.arrayContaining([
          { route: '/u/:id', method: 'GET', status: 200, result: 'miss', cache: 'metered', value: 1 },
          { route: '/u/:id', method: 'GET', status: 200, result: 'hit', cache: 'metered', value: 2 },
          { route: '/u/:id', method: 'GET', status: 304, result: 'hit', cache: 'metered', value: 1 },
          { route: '/u/:id', method: 'GET', status: 200, result: 'bypass', cache: 'metered', value: 1 },
        ]),
      );
      expect(points).toHaveLength(4);
      await meterProvider.shutdown();
    });
  },
);

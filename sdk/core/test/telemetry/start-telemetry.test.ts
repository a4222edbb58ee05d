import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { ConfigError } from '../../src/errors.js';
import { METRICS, prometheusName } from '../../src/telemetry/conventions.js';
import { startTelemetry } from '../../src/telemetry/start-telemetry.js';
import { FakeTier } from '../helpers/fake-tier.js';

/** Receives OTLP/HTTP (JSON) posts on 127.0.0.1 and records path and body. */
async function otlpReceiver() {
  const posts: { path: string; body: string; type: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString(),
        type: req.headers['content-type'],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, posts, close: () => new Promise((r) => server.close(r)) };
}

describe('startTelemetry', () => {
  it('serves the cache on /metrics (port 0 = a free port) and stops serving on shutdown', async () => {
    const cache = createCache({ name: 'web', l1: { capacity: 100 } });
    const telemetry = await startTelemetry({ serviceName: 'svc', prometheus: { port: 0 }, caches: [cache] });
    expect(telemetry.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);
    await cache.set('a', 1);
    for (let i = 0; i < 7; i++) await cache.get('a');
    await cache.get('missing');
    const text = await (await fetch(telemetry.metricsUrl!)).text();
    const name = prometheusName(METRICS.requests);
    expect(text).toMatch(
      new RegExp(`${name}\\{[^}]*omnicache_tier="l1",omnicache_result="hit"[^}]*\\} 7\\n`),
    );
    expect(text).toMatch(
      new RegExp(`${name}\\{[^}]*omnicache_tier="l1",omnicache_result="miss"[^}]*\\} 1\\n`),
    );
    expect(text).toContain('service_name="svc"');
    await telemetry.shutdown();
    await expect(fetch(telemetry.metricsUrl!)).rejects.toThrow();
  });

  it('pushes metrics and traces over OTLP/HTTP to the endpoint on flush', async () => {
    const receiver = await otlpReceiver();
    const cache = createCache({ name: 'api', l1: { capacity: 100 }, l2: new FakeTier() });
    const telemetry = await startTelemetry({
      serviceName: 'svc',
      prometheus: false,
      otlp: { endpoint: receiver.endpoint, exportIntervalMs: 60_000 },
    });
    telemetry.instrument(cache);
    await cache.getOrSet('k', () => 'v');
    await telemetry.flush();
    await telemetry.shutdown();
    await receiver.close();
    const metricsPosts = receiver.posts.filter((p) => p.path === '/v1/metrics');
    const tracePosts = receiver.posts.filter((p) => p.path === '/v1/traces');
    expect(metricsPosts.length).toBeGreaterThan(0);
    expect(tracePosts.length).toBeGreaterThan(0);
    expect(tracePosts[0]!.type).toBe('application/json');
    // OTLP names (not the Prometheus form) on this path, and the getOrSet span with its loader child.
    expect(metricsPosts.map((p) => p.body).join()).toContain(`"name":"${METRICS.requests.name}"`);
    const spans = tracePosts.map((p) => p.body).join();
    expect(spans).toContain('"name":"omnicache.get_or_set"');
    expect(spans).toContain('"name":"omnicache.loader"');
    expect(telemetry.metricsUrl).toBeUndefined();
  });

  it('rejects malformed options with a ConfigError that says what to pass', async () => {
    await expect(startTelemetry({ serviceName: '' })).rejects.toThrow(ConfigError);
    await expect(startTelemetry({ serviceName: 'x', otlp: { endpoint: '127.0.0.1:4318' } })).rejects.toThrow(
      /otlp\.endpoint must be an http\(s\) URL/,
    );
  });
});

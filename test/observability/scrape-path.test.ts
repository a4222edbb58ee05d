// The two ways an app exports OmniCache metrics give the same Prometheus series: startTelemetry() with both OTLP
// (-> collector -> remote write) and a Prometheus /metrics endpoint (scraped by Prometheus as job omnicache-sdk),
// one real cache on a real Redis l2, compared in the real Prometheus.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Cache } from '../../sdk/core/src/cache.js';
import { createCache } from '../../sdk/core/src/index.js';
import { startTelemetry, type Telemetry } from '../../sdk/core/src/telemetry/start-telemetry.js';
import { redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import { freePort } from '../services/index.js';
import { eventually, type Pipeline, startPipeline } from './pipeline.js';

const SERVICE = 'omnicache-e2e-scrape';
const CACHE = 'e2e-scrape';

interface Series {
  __name__: string;
  job?: string;
  [label: string]: string | undefined;
}

describe('scrape path and OTLP path give the same series', () => {
  let p: Pipeline;
  let telemetry: Telemetry;
  let cache: Cache;

  beforeAll(async () => {
    const port = await freePort();
    p = await startPipeline({ serviceName: 'unused', sdkTargets: [`127.0.0.1:${port}`] });
    telemetry = await startTelemetry({
      serviceName: SERVICE,
      otlp: { endpoint: p.otlpHttpUrl, exportIntervalMs: 1000 },
      prometheus: { port },
    });
    const { url } = inject('redis');
    cache = createCache({
      name: CACHE,
      l1: { capacity: 20, policy: 'arc' },
      l2: redisTier({ connection: url, keyPrefix: `scrape-${process.pid}:` }),
      defaults: { ttl: 60_000 },
    });
    telemetry.instrument(cache);
  });
  afterAll(async () => {
    await telemetry?.shutdown();
    await cache?.close();
    await p?.stop();
  });

  it('has identical series names (and labels) on job omnicache-sdk and on the OTLP job', async () => {
    for (let i = 0; i < 300; i++) await cache.getOrSet(`k${i % 60}`, async () => ({ i }));
    await cache
      .getOrSet('boom', async () => {
        throw new Error('loader failed');
      })
      .catch(() => undefined);

    const key = (s: Series) => {
      const { job: _job, instance: _instance, __name__, ...labels } = s;
      const rest = Object.entries(labels)
        .filter(([k]) => !k.startsWith('otel_scope_'))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return `${__name__}{${rest}}`;
    };
    let last: [Set<string>, Set<string>] = [new Set(), new Set()];
    const [otlp, scraped] = await eventually(
      'both paths in Prometheus',
      async () => {
        await telemetry.flush();
        const res = await fetch(
          `${p.prometheus.url}/api/v1/series?match[]=${encodeURIComponent(`{__name__=~"omnicache_.+",omnicache_cache_name="${CACHE}"}`)}`,
        );
        const all = ((await res.json()) as { data: Series[] }).data;
        const a = new Set(all.filter((s) => s.job === SERVICE).map(key));
        const b = new Set(all.filter((s) => s.job === 'omnicache-sdk').map(key));
        last = [a, b];
        return a.size > 20 && a.size === b.size ? ([a, b] as const) : undefined;
      },
      30_000,
    ).catch((err: unknown): never => {
      expect([...last[1]].sort(), String(err)).toEqual([...last[0]].sort());
      throw err;
    });
    expect([...scraped].sort()).toEqual([...otlp].sort());
    const names = new Set([...otlp].map((k) => k.replace(/\{.*$/, '')));
    for (const n of [
      'omnicache_requests_total',
      'omnicache_loader_duration_seconds_bucket',
      'omnicache_tier_operation_duration_seconds_count',
      'omnicache_arc_target',
      'omnicache_circuit_status',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });
});

// Fault to alert, end to end: Redis (l2) stops under load -> the cache's circuit breaker opens -> the state reaches
// Prometheus over OTLP -> collector -> remote write -> OmniCacheCircuitOpen fires within its `for` plus two
// evaluation intervals (plus the export interval that the metrics path adds) and reaches Alertmanager, routed to the
// critical webhook; Redis comes back -> the breaker closes -> the alert resolves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../sdk/core/src/cache.js';
import type { CacheEvent } from '../../sdk/core/src/events.js';
import { createCache } from '../../sdk/core/src/index.js';
import { type CacheInstrumentation, instrument } from '../../sdk/core/src/telemetry/instrument.js';
import { redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import { type RedisHandle, startRedis } from '../services/index.js';
import { readCollectorConfig } from './configs.js';
import { eventually, type Pipeline, startPipeline } from './pipeline.js';

const CACHE = 'e2e-fault';
const ALERT = 'OmniCacheCircuitOpen';

function ruleForSeconds(): number {
  const rules = readCollectorConfig('rules/alerts.yml');
  const m = new RegExp(`alert: ${ALERT}[\\s\\S]*?\\n\\s+for: (\\d+)([smh])`).exec(rules);
  if (!m?.[1] || !m[2]) throw new Error(`no for: in ${ALERT}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
  endsAt: string;
}

describe('fault -> circuit -> alert -> Alertmanager', () => {
  let p: Pipeline;
  let redis: RedisHandle;
  let cache: Cache;
  let inst: CacheInstrumentation;
  let running = true;
  let load: Promise<void> = Promise.resolve();
  const circuit: { to: string; at: number }[] = [];

  beforeAll(async () => {
    p = await startPipeline({ serviceName: 'omnicache-e2e-fault', intervalSeconds: 2 });
    redis = await startRedis({ name: 'redis-alert' });
    cache = createCache({
      name: CACHE,
      l1: { capacity: 50 },
      l2: {
        tier: redisTier({ connection: redis.url, commandTimeoutMs: 200 }),
        timeoutMs: 300,
        circuitBreaker: { failureThreshold: 3, windowMs: 5_000, openMs: 1_000 },
      },
      defaults: { ttl: 60_000 },
    });
    cache.events.on('circuit', (e: Extract<CacheEvent, { type: 'circuit' }>) => {
      circuit.push({ to: e.to, at: Date.now() });
    });
    inst = instrument(cache, { meterProvider: p.meterProvider });
    // steady load: more keys than l1 holds, so reads keep reaching l2
    load = (async () => {
      let i = 0;
      while (running) {
        await cache.getOrSet(`k${i++ % 400}`, async () => i).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  });

  afterAll(async () => {
    running = false;
    await load;
    inst?.stop();
    await cache?.close();
    await redis?.stop();
    await p?.stop();
  });

  it('fires within for + 2 evaluation intervals and resolves after Redis is back', {
    timeout: 240_000,
  }, async () => {
    await new Promise((r) => setTimeout(r, 2_000));
    expect(circuit.filter((c) => c.to === 'open')).toEqual([]);

    await redis.kill();
    const opened = await eventually(
      'the circuit to open',
      async () => circuit.find((c) => c.to === 'open')?.at,
      20_000,
    );
    const forSeconds = ruleForSeconds();
    const budgetMs = (forSeconds + 2 * p.intervalSeconds) * 1000 + p.exportIntervalMs + 1_500;

    const firedAt = await eventually(
      `${ALERT} firing in Prometheus`,
      async () => {
        const r = await p.query(
          `ALERTS{alertname="${ALERT}",alertstate="firing",omnicache_cache_name="${CACHE}"}`,
        );
        return r.length > 0 ? Date.now() : undefined;
      },
      budgetMs + 30_000,
    );
    const amAlerts = await eventually(
      `${ALERT} in Alertmanager`,
      async () => {
        const res = await fetch(
          `${p.alertmanager.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${ALERT}"`)}`,
        );
        const list = (await res.json()) as AmAlert[];
        return list.some((a) => a.status.state === 'active') ? list : undefined;
      },
      15_000,
    );
    const reachedAm = Date.now();
    expect(amAlerts[0]?.labels).toMatchObject({
      alertname: ALERT,
      severity: 'critical',
      omnicache_cache_name: CACHE,
      omnicache_tier: 'l2',
    });
    process.stderr.write(
      `[observability] circuit open -> ${ALERT} firing in Prometheus ${((firedAt - opened) / 1000).toFixed(1)} s, in Alertmanager ${((reachedAm - opened) / 1000).toFixed(1)} s (for ${forSeconds} s, budget ${(budgetMs / 1000).toFixed(1)} s)\n`,
    );
    expect(firedAt - opened).toBeGreaterThanOrEqual(forSeconds * 1000 - 1_000);
    expect(reachedAm - opened, `budget ${budgetMs} ms`).toBeLessThanOrEqual(budgetMs);
    const hook = await eventually(
      'the critical webhook',
      async () => p.webhooks.find((w) => w.path === '/critical' && w.body.status === 'firing'),
      15_000,
    );
    expect(hook.body.alerts[0]?.labels.alertname).toBe(ALERT);

    await redis.restart();
    await eventually(
      'the circuit to close',
      async () => (cache.stats().tiers.l2?.circuit.state === 'closed' ? true : undefined),
      30_000,
    );
    await eventually(
      `${ALERT} resolved in Prometheus`,
      async () => {
        const r = await p.query(`ALERTS{alertname="${ALERT}",omnicache_cache_name="${CACHE}"}`);
        return r.length === 0 ? true : undefined;
      },
      30_000,
    );
    await eventually(
      `${ALERT} resolved in Alertmanager`,
      async () => {
        const res = await fetch(
          `${p.alertmanager.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${ALERT}"`)}`,
        );
        const list = (await res.json()) as AmAlert[];
        return list.every((a) => a.status.state !== 'active' || Date.parse(a.endsAt) <= Date.now())
          ? true
          : undefined;
      },
      30_000,
    );
  });
});

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { METRICS, prometheusName } from '../../src/telemetry/conventions.js';
import { registerPromClient } from '../../src/telemetry/prom-client-bridge.js';
import { startTelemetry } from '../../src/telemetry/start-telemetry.js';
import { FakeTier } from '../helpers/fake-tier.js';

/** `name{labels} value` lines, labels sorted, without the OpenTelemetry exporter's own additions. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('target_info')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter((l) => l !== '' && !l.startsWith('otel_scope_name='))
      .sort()
      .join(',');
    out.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return out;
}

describe('registerPromClient', () => {
  it('exposes the same series, labels and values as the OpenTelemetry Prometheus endpoint', async () => {
    const cache = createCache({ name: 'shop', l1: { capacity: 2 }, l2: new FakeTier() });
    const telemetry = await startTelemetry({ serviceName: 's', prometheus: { port: 0 }, caches: [cache] });
    const registry = new Registry();
    const bridge = registerPromClient(registry, cache);
    for (const k of ['a', 'b', 'c', 'a', 'b', 'd']) await cache.getOrSet(k, async () => k.toUpperCase());
    await expect(cache.getOrSet('bad', () => Promise.reject(new Error('x')))).rejects.toThrow();

    const fromProm = series(await registry.metrics());
    const fromOtel = series(await (await fetch(telemetry.metricsUrl!)).text());
    expect([...fromProm.keys()].sort()).toEqual([...fromOtel.keys()].sort());
    for (const [k, v] of fromOtel) expect(fromProm.get(k), k).toBe(v);

    const requests = prometheusName(METRICS.requests);
    expect(
      fromProm.get(`${requests}{omnicache_cache_name="shop",omnicache_result="miss",omnicache_tier="l1"}`),
    ).toBeGreaterThan(0);
    expect(
      fromProm.get(
        `${prometheusName(METRICS.loaderDuration)}_count{omnicache_cache_name="shop",omnicache_outcome="error"}`,
      ),
    ).toBe(1);

    bridge.stop();
    expect(await registry.metrics()).not.toContain(requests);
    await telemetry.shutdown();
  });

  it('serves several caches from one registry; series leave with the last cache', async () => {
    const registry = new Registry();
    const a = createCache({ name: 'alpha', l1: { capacity: 10 } });
    const b = createCache({ name: 'beta', l1: { capacity: 10 } });
    const bridgeA = registerPromClient(registry, a);
    const bridgeB = registerPromClient(registry, b);
    expect(() => registerPromClient(registry, a)).toThrow(/already registered/);
    await a.set('k', 1);
    await a.get('k');
    await b.get('nothing');
    const requests = prometheusName(METRICS.requests);
    let s = series(await registry.metrics());
    expect(
      s.get(`${requests}{omnicache_cache_name="alpha",omnicache_result="hit",omnicache_tier="l1"}`),
    ).toBe(1);
    expect(
      s.get(`${requests}{omnicache_cache_name="beta",omnicache_result="miss",omnicache_tier="l1"}`),
    ).toBe(1);
    bridgeA.stop();
    s = series(await registry.metrics());
    expect([...s.keys()].some((k) => k.includes('"alpha"'))).toBe(false);
    expect(
      s.get(`${requests}{omnicache_cache_name="beta",omnicache_result="miss",omnicache_tier="l1"}`),
    ).toBe(1);
    bridgeB.stop();
    expect(await registry.metrics()).not.toContain(requests);
  });
});

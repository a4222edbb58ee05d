// Bad input around the service, with small local HTTP fakes (the real-server path is in test/anomaly): Prometheus
// down, slow or answering garbage; NaN samples; a series that disappears while its alert fires. Never a crash, every
// case counted, no false alert.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/service/config.js';
import { AnomalyService } from '../src/service/service.js';

type Handler = (url: URL, body: string) => { status: number; body: string; delayMs?: number };
const servers: Server[] = [];

async function fake(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const r = handler(new URL(req.url ?? '/', 'http://x'), body);
      setTimeout(
        () => res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body),
        r.delayMs ?? 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function service(promUrl: string, extra: Record<string, unknown> = {}) {
  return new AnomalyService(
    parseConfig({
      prometheus: { url: promUrl, timeout: '300ms' },
      evaluationInterval: 1000,
      tfjs: { enabled: false },
      series: [{ name: 'errors', query: 'sum(rate(x[1m]))' }],
      ...extra,
    }),
  );
}

/** A service firing on the first anomalous evaluation, over the given series. */
function alertingService(promUrl: string, series: unknown[]) {
  return new AnomalyService(
    parseConfig({
      prometheus: { url: promUrl },
      evaluationInterval: 1000,
      tfjs: { enabled: false },
      alerting: { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 },
      series,
    }),
  );
}

const vector = (samples: { labels: Record<string, string>; t: number; v: string }[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: samples.map((s) => ({ metric: s.labels, value: [s.t / 1000, s.v] })),
    },
  });

async function metricsText(s: AnomalyService): Promise<string> {
  return s.metrics.registry.metrics();
}

describe('service under bad input', () => {
  it('Prometheus down: back-fill and evaluation are skipped and counted, no throw', async () => {
    const s = service('http://127.0.0.1:9'); // discard port: nothing listens
    expect(await s.backfill()).toBe(0);
    const r = await s.evaluate();
    expect(r.queryErrors).toBe(1);
    expect(await metricsText(s)).toMatch(
      /omnicache_anomaly_query_errors_total\{omnicache_anomaly_series="errors",omnicache_anomaly_reason="unreachable"\} 2/,
    );
  });

  it('Prometheus slow: the query times out, is counted, and the loop goes on', async () => {
    const url = await fake(() => ({ status: 200, body: vector([]), delayMs: 2000 }));
    const s = service(url);
    const started = Date.now();
    const r = await s.evaluate();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.queryErrors).toBe(1);
    expect(await metricsText(s)).toMatch(/omnicache_anomaly_reason="timeout"\} 1/);
  });

  it('Prometheus answering garbage or errors: counted as http_status / bad_response', async () => {
    let mode = 0;
    const url = await fake(() =>
      mode === 0
        ? { status: 500, body: '<html>oops</html>' }
        : { status: 200, body: JSON.stringify({ status: 'success', data: {} }) },
    );
    const s = service(url);
    expect((await s.evaluate()).queryErrors).toBe(1);
    mode = 1;
    expect((await s.evaluate()).queryErrors).toBe(1);
    const m = await metricsText(s);
    expect(m).toMatch(/omnicache_anomaly_reason="http_status"\} 1/);
    expect(m).toMatch(/omnicache_anomaly_reason="bad_response"\} 1/);
  });

  it('NaN samples are counted and not scored; a vanished series resolves its alert and is forgotten', async () => {
    let t = 1_000_000;
    let value = 'NaN';
    let present = true;
    const prom = await fake(() => ({
      status: 200,
      body: vector(present ? [{ labels: { cache: 'a' }, t, v: value }] : []),
    }));
    const posts: { labels: Record<string, string>; endsAt: string }[][] = [];
    const am = await fake((_url, body) => {
      posts.push(JSON.parse(body));
      return { status: 200, body: '' };
    });
    const s = service(prom, {
      alertmanager: { url: am },
      forgetAfter: 5000,
      alerting: { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 },
    });
    expect((await s.evaluate(t)).scored).toBe(0);
    expect(await metricsText(s)).toMatch(/omnicache_anomaly_reason="not_finite"\} 1/);
    // A steady series, then a jump: the alert fires.
    for (let i = 0; i < 300; i++) {
      t += 1000;
      value = String(10 + (i % 5) * 0.1);
      await s.evaluate(t);
    }
    expect(s.firingCount()).toBe(0);
    t += 1000;
    value = '500';
    const fired = await s.evaluate(t);
    expect(fired.fired).toEqual(['errors{cache="a"}']);
    expect(posts.at(-1)?.[0]?.labels).toMatchObject({ alertname: 'OmniCacheAnomaly', cache: 'a' });
    // The series vanishes: the alert is kept up for a while, then resolved and the state dropped.
    present = false;
    for (let i = 0; i < 4; i++) {
      t += 1000;
      expect((await s.evaluate(t)).resolved).toEqual([]);
    }
    t += 2000;
    const gone = await s.evaluate(t);
    expect(gone.resolved).toEqual(['errors{cache="a"}']);
    expect(s.series()).toEqual([]);
    const last = posts.at(-1)?.[0];
    expect(Date.parse(last?.endsAt ?? '')).toBeLessThanOrEqual(t);
    expect(await metricsText(s)).toMatch(/omnicache_anomaly_reason="disappeared"\} 1/);
    expect(s.annotations.list().map((a) => a.state)).toEqual(['resolved']);
  });

  it('a point after a gap does not start an alert', async () => {
    let t = 1_000_000;
    let value = '10';
    const prom = await fake(() => ({ status: 200, body: vector([{ labels: {}, t, v: value }]) }));
    const s = service(prom, { alerting: { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 } });
    for (let i = 0; i < 300; i++) {
      t += 1000;
      value = String(10 + (i % 5) * 0.1);
      await s.evaluate(t);
    }
    t += 60_000; // a minute without data, then a different level
    value = '500';
    const r = await s.evaluate(t);
    expect(r.scored).toBe(1);
    expect(r.fired).toEqual([]);
    expect(await metricsText(s)).toMatch(/omnicache_anomaly_reason="gap"\} 1/);
  });

  it('a significant but small change does not alert below minRelativeChange', async () => {
    const fired: Record<string, number> = {};
    for (const minRelativeChange of [0, 0.1]) {
      let t = 1_000_000;
      let value = '10';
      const prom = await fake(() => ({ status: 200, body: vector([{ labels: {}, t, v: value }]) }));
      const s = alertingService(prom, [{ name: 'ratio', query: 'x', minRelativeChange }]);
      for (let i = 0; i < 300; i++) {
        t += 1000;
        value = String(10 + (i % 5) * 0.01);
        await s.evaluate(t);
      }
      fired[minRelativeChange] = 0;
      for (let i = 0; i < 5; i++) {
        t += 1000;
        value = '10.5'; // 5%: far outside the noise, small in practice
        fired[minRelativeChange] += (await s.evaluate(t)).fired.length;
      }
    }
    expect(fired).toEqual({ 0: 1, 0.1: 0 });
  });

  it('direction: a hit ratio rising does not alert like a drop; up / down / both per series', async () => {
    let t = 1_000_000;
    let value = 0.8;
    const prom = await fake(() => ({ status: 200, body: vector([{ labels: {}, t, v: String(value) }]) }));
    const s = alertingService(prom, [
      { name: 'preset_ratio', preset: 'hit_ratio' }, // the preset watches drops
      { name: 'down', query: 'x', direction: 'down' },
      { name: 'up', query: 'y', direction: 'up' },
      { name: 'both', query: 'z' },
    ]);
    const step = async (v: number) => {
      t += 1000;
      value = v;
      return (await s.evaluate(t)).fired.map((k) => k.replace('{}', '')).sort();
    };
    for (let i = 0; i < 120; i++) await step(0.8 + (i % 5) * 0.005);
    expect(s.firingCount()).toBe(0);
    // The ratio jumps up to 0.99: only the series watching rises (or both ways) alert.
    expect(await step(0.99)).toEqual(['both', 'up']);
    for (let i = 0; i < 3; i++) await step(0.99);
    // Every series scored the rise as anomalous: the direction gates the alert, not the score.
    expect(s.series().every((x) => (x.lastScore?.score ?? 0) >= 0.5)).toBe(true);
    for (let i = 0; i < 60; i++) await step(0.8 + (i % 5) * 0.005);
    expect(s.firingCount()).toBe(0);
    // A drop to 0.3: the hit ratio preset and the series watching drops (or both ways) alert.
    expect(await step(0.3)).toEqual(['both', 'down', 'preset_ratio']);
  });

  it('tracks at most maxSeries series; points of the others are counted as over_limit', async () => {
    const prom = await fake(() => ({
      status: 200,
      body: vector(['a', 'b', 'c'].map((c) => ({ labels: { cache: c }, t: Date.now(), v: '1' }))),
    }));
    const s = service(prom, { maxSeries: 2 });
    await s.evaluate();
    expect(s.series()).toHaveLength(2);
    expect(await metricsText(s)).toMatch(/omnicache_anomaly_reason="over_limit"\} 1/);
  });
});

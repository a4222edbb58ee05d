// The service with the TF.js forecaster on: it trains in the background from the back-fill, reports training time
// and status on /metrics, saves the model on stop and a restarted service picks it up (a local query_range fake
// stands in for Prometheus' HTTP API here; test/anomaly runs against the real one).
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/service/config.js';
import { AnomalyService } from '../src/service/service.js';

const STEP = 1000;
const value = (t: number) => 100 + 10 * Math.sin((2 * Math.PI * t) / (60 * STEP));

let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const metric = { cache: 'c1' };
    let result: unknown[];
    if (u.pathname === '/api/v1/query_range') {
      const start = Number(u.searchParams.get('start')) * 1000;
      const end = Number(u.searchParams.get('end')) * 1000;
      const values: [number, string][] = [];
      for (let t = Math.ceil(start / STEP) * STEP; t <= end; t += STEP)
        values.push([t / 1000, String(value(t))]);
      result = [{ metric, values }];
    } else {
      const t = Number(u.searchParams.get('time')) * 1000;
      result = [{ metric, value: [t / 1000, String(value(t))] }];
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('service with the TF.js model', () => {
  it('trains from the back-fill, exposes training metrics, saves on stop, reloads on restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'anomaly-state-'));
    const config = parseConfig({
      prometheus: { url },
      evaluationInterval: STEP,
      backfill: '10m',
      stateDir,
      series: [{ name: 'load', query: 'sum(rate(x[1m]))' }],
    });
    const now = 1_800_000_000_000;
    const first = new AnomalyService(config);
    expect(await first.backfill(now)).toBeGreaterThan(500);
    const [s] = first.series();
    await s!.tf!.settle();
    expect(s!.tf!.training.status).toBe('ready');
    expect(s!.tf!.training.rounds).toBeGreaterThanOrEqual(1);
    const r = await first.evaluate(now + STEP);
    expect(r.scored).toBe(1);
    expect(s!.lastScore!.detectors.tfjs).toBeGreaterThanOrEqual(0);
    const metrics = await first.metrics.registry.metrics();
    expect(metrics).toMatch(/^omnicache_anomaly_model_training_duration_seconds\{[^\n]*\} [0-9.e-]+$/m);
    expect(metrics).toMatch(
      /^omnicache_anomaly_model_status\{[^\n]*omnicache_anomaly_model_status="ready"\} 1$/m,
    );
    await first.stop();

    // Restart with a short back-fill (too short to train): the saved model is loaded and scores at once.
    const second = new AnomalyService(parseConfig({ ...config, backfill: 30_000, evaluationInterval: STEP }));
    await second.backfill(now + 60_000);
    const [s2] = second.series();
    expect(s2!.tf!.training.rounds).toBeGreaterThanOrEqual(1);
    expect(s2!.tf!.training.status).toBe('ready');
    await second.evaluate(now + 61_000);
    expect(Number.isFinite(s2!.lastScore!.detectors.tfjs)).toBe(true);
    await second.stop();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cache, createCache, fsTier } from 'omnicache';
import { startTelemetry, type Telemetry } from 'omnicache/otel';
import { startDemoHttp } from './http-service.js';
import { demoPhases } from './workload.js';

export interface LiveDemoOptions {
  /** Seconds the workload runs (split evenly over the phases). */
  durationSeconds: number;
  /** Keep serving /metrics after the workload until Ctrl-C. */
  hold: boolean;
  /** Port for /metrics; 0 or busy: any free port. */
  port: number;
}

/**
 * Part 2 of the demo: the same phased workload through a real OmniCache (L1 ARC + the embedded
 * local-directory L3), instrumented with OpenTelemetry and served on /metrics while it runs.
 */
export async function runLiveDemo(options: LiveDemoOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-demo-'));
  const cache = createCache({
    name: 'demo',
    l1: { capacity: 1000, policy: 'arc' },
    l3: fsTier(dir),
    defaults: { ttl: 5 * 60_000 },
  });
  const telemetry = await startDemoTelemetry(cache, options.port);
  const http = await startDemoHttp(telemetry);
  const url = telemetry.metricsUrl!;
  process.stdout.write(`\nLive cache "demo" (L1 ARC c=1000, L3 local directory ${dir})\n`);
  process.stdout.write(`metrics: ${url}\n`);
  process.stdout.write(
    `http service (omnicache/fastify, cache "demo-http"): ${http.url}/items/1 ; watch it all: npm run -s omnicache -- stats --url ${url} --watch\n`,
  );
  process.stdout.write(
    `point Prometheus at it: scrape_configs: [{ job_name: omnicache-demo, static_configs: [{ targets: ['${new URL(url).host}'] }] }]\n`,
  );
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once('SIGINT', onSignal);
  try {
    const phases = demoPhases(1000, Number.MAX_SAFE_INTEGER);
    const perPhaseMs = (options.durationSeconds * 1000) / phases.length;
    let loads = 0;
    const loader = async () => {
      loads++;
      await sleep(0);
      return { rendered: Date.now() };
    };
    for (const phase of phases) {
      const until = Date.now() + perPhaseMs;
      const before = cache.stats();
      let i = 0;
      while (Date.now() < until && !stopping) {
        const batch: Promise<unknown>[] = [];
        for (let j = 0; j < 200; j++) batch.push(cache.getOrSet(`item:${phase.next(i++)}`, loader));
        await Promise.all(batch);
      }
      const after = cache.stats();
      const hits = after.requests.hits - before.requests.hits;
      const total = hits + after.requests.misses - before.requests.misses;
      const policy = after.tiers.l1.policy;
      const arc = 'p' in policy ? `p=${Math.round(policy.p)} T1=${policy.t1} T2=${policy.t2}` : '';
      process.stdout.write(
        `  ${phase.name.padEnd(14)} ${i.toLocaleString('en-US').padStart(8)} requests, hit ${((100 * hits) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${arc}\n`,
      );
      if (stopping) break;
    }
    const s = cache.stats();
    process.stdout.write(
      `live cache: ${s.requests.hits.toLocaleString('en-US')} hits, ${s.requests.misses.toLocaleString('en-US')} misses, ${loads.toLocaleString('en-US')} loader calls, ${s.movements.reduce((n, m) => n + m.count, 0)} tier movements\n`,
    );
    if (options.hold && !stopping) {
      process.stdout.write(`serving ${url} until Ctrl-C\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    process.off('SIGINT', onSignal);
    await http.stop();
    await telemetry.shutdown();
    await cache.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Prometheus endpoint on the preferred port, or on one the OS picks when that one is taken. */
async function startDemoTelemetry(cache: Cache, port: number): Promise<Telemetry> {
  const start = (p: number) =>
    startTelemetry({ serviceName: 'omnicache-demo', prometheus: { port: p }, caches: [cache] });
  try {
    return await start(port);
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (port === 0 || cause?.code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

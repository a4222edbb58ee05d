import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from 'omnicache';
import { startTelemetry, type Telemetry } from 'omnicache/otel';
import { startAuditActivity } from './audit-activity.js';
import { createDemoCache, type DemoBackends, loadDemoBackends } from './backends.js';
import type { DemoEnvironment } from './environment.js';
import { startDemoHttp } from './http-service.js';
import { type LivePage, startLivePage } from './live-page.js';
import { createShopDemo, type ShopDemo } from './shop-demo.js';
import { demoPhases } from './workload/phases.js';

export interface LiveDemoOptions {
  /** Seconds one pass of the workload takes (split evenly over the phases). */
  durationSeconds: number;
  /** Stop after one pass (default: the phases repeat until Ctrl-C). */
  once: boolean;
  /** Keep serving after the workload until Ctrl-C (with `once`). */
  hold: boolean;
  /** Port for /metrics; 0 or busy: any free port. */
  port: number;
  /** Port of the web page with the Grafana panel's views (0 or busy: any free port); false: no page. */
  pagePort: number | false;
}

/**
 * Part 2 of the demo: the same phased workload through a real OmniCache (L1 ARC + the embedded local-directory
 * L3, or the Redis, GCS, bus and collector the environment names: backends.ts), instrumented with OpenTelemetry
 * and served on /metrics while it runs, with the shop's correlated workload on a cache of its own (with learned
 * prefetch when the environment turns it on: shop-demo.ts), an HTTP service cached by omnicache/fastify, an audited
 * accounts cache, and a local page showing the Grafana panel's views.
 */
export async function runLiveDemo(options: LiveDemoOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-demo-'));
  let backends: DemoBackends;
  let cache: Cache | undefined;
  let shop: ShopDemo;
  try {
    backends = await loadDemoBackends(dir);
    cache = await createDemoCache(backends);
    shop = await createShopDemo(backends.environment);
  } catch (error) {
    await cache?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const telemetry = await startDemoTelemetry([cache, shop.cache], options.port, backends.environment);
  const http = await startDemoHttp(telemetry, await backends.newBus());
  const accounts = await startAuditActivity(dir);
  telemetry.instrument(accounts.cache);
  const url = telemetry.metricsUrl!;
  process.stdout.write(`\nLive cache "${cache.name}" on:\n  ${backends.description.join('\n  ')}\n`);
  process.stdout.write(`${shop.description.join('\n  ')}\n`);
  process.stdout.write(`metrics: ${url}\n`);
  process.stdout.write(
    `http service (omnicache/fastify, cache "demo-http"): ${http.url}/items/1 ; watch it all: npm run -s omnicache -- stats --url ${url} --watch\n`,
  );
  process.stdout.write(
    `point Prometheus at it: scrape_configs: [{ job_name: omnicache-demo, static_configs: [{ targets: ['${new URL(url).host}'] }] }]\n`,
  );
  // The page's builds (panel plugin, host page) take a while the first time: the workload starts meanwhile.
  let page: LivePage | undefined;
  const pageStarted =
    options.pagePort === false
      ? Promise.resolve()
      : startLivePage({
          caches: [cache, http.cache, accounts.cache, shop.cache],
          audit: accounts.recent,
          port: options.pagePort,
        }).then(
          (p) => {
            page = p;
            process.stdout.write(`page (the Grafana panel's views, live): ${p.url}/\n`);
          },
          (error: unknown) => {
            process.stderr.write(
              `the demo page could not start: ${String((error as Error).message ?? error)}\n`,
            );
          },
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
    let i = 0;
    shop.start();
    for (let pass = 1; !stopping; pass++) {
      if (pass > 1) process.stdout.write(`pass ${pass}\n`);
      for (const phase of phases) {
        const until = Date.now() + perPhaseMs;
        const before = cache.stats();
        let n = 0;
        while (Date.now() < until && !stopping) {
          const batch: Promise<unknown>[] = [];
          for (let j = 0; j < 200; j++, n++) batch.push(cache.getOrSet(`item:${phase.next(i++)}`, loader));
          await Promise.all(batch);
        }
        const after = cache.stats();
        const hits = after.requests.hits - before.requests.hits;
        const total = hits + after.requests.misses - before.requests.misses;
        const policy = after.tiers.l1.policy;
        const arc = 'p' in policy ? `p=${Math.round(policy.p)} T1=${policy.t1} T2=${policy.t2}` : '';
        process.stdout.write(
          `  ${phase.name.padEnd(14)} ${n.toLocaleString('en-US').padStart(8)} requests, hit ${((100 * hits) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${arc}\n`,
        );
        if (stopping) break;
      }
      process.stdout.write(`  ${shop.report()}\n`);
      if (options.once) break;
    }
    await pageStarted;
    const s = cache.stats();
    process.stdout.write(
      `live cache: ${s.requests.hits.toLocaleString('en-US')} hits, ${s.requests.misses.toLocaleString('en-US')} misses, ${loads.toLocaleString('en-US')} loader calls, ${s.movements.reduce((n, m) => n + m.count, 0)} tier movements\n`,
    );
    if (options.hold && !stopping) {
      process.stdout.write(`serving ${url}${page ? ` and ${page.url}/` : ''} until Ctrl-C\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    process.off('SIGINT', onSignal);
    await pageStarted;
    await page?.stop();
    await accounts.stop();
    await http.stop();
    await shop.stop();
    await telemetry.shutdown();
    await cache.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Prometheus endpoint on the preferred port, or on one the OS picks when that one is taken; OTLP when asked. */
async function startDemoTelemetry(caches: Cache[], port: number, env: DemoEnvironment): Promise<Telemetry> {
  const { otlp, serviceName } = env;
  const start = (p: number) =>
    startTelemetry({
      serviceName,
      prometheus: { port: p },
      caches,
      ...(otlp && {
        otlp: {
          endpoint: otlp.endpoint,
          ...(otlp.exportIntervalMs !== undefined && { exportIntervalMs: otlp.exportIntervalMs }),
        },
      }),
    });
  try {
    return await start(port);
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (port === 0 || cause?.code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

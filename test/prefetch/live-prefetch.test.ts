// The learned prefetch loop end to end on a real Kafka (KRaft): two app instances serve the demo's shop workload
// (`@omnicache/demo/workload`, what `npm run demo` runs: product page -> its reviews -> its related items; next
// product related or Zipf-popular) through small L1s; their sampled access streams reach the anomaly service's
// prefetch daemon over Kafka, its Markov model's hints come back over Kafka, and the executors prefetch. The same
// seeded workload runs with prefetch off at the same time on caches of its own. Figures are taken after a warm-up
// in which the model learns (online: it only ever sees the past). One user per instance: the models learn one
// ordered stream per instance, and concurrent sessions interleaved in one stream blur the transitions (measured in
// the bench, reported there).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { METRICS, prometheusName } from 'omnicache/conventions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackChild } from '../services/child-processes.js';
import { type KafkaHandle, startKafka } from '../services/index.js';
import { repoRoot } from '../services/paths.js';
import { runLiveLoop } from './live-loop.js';

const WASTE_BUDGET = 0.5;

/** A node child process whose stdout and stderr are collected; tracked, so it dies with the test run. */
function run(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  trackChild(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return { child, output: () => out };
}

/** Waits for `re` in a child's output; fails with the output when the child exits first or after `timeoutMs`. */
async function seen(
  p: { child: ChildProcess; output: () => string },
  re: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<RegExpExecArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(p.output());
    if (m) return m;
    if (p.child.exitCode !== null || Date.now() > end)
      throw new Error(`no ${what} (exit code ${p.child.exitCode}); output:\n${p.output()}`);
    await sleep(100);
  }
}

describe('learned prefetch on Kafka', () => {
  let kafka: KafkaHandle | undefined;
  beforeAll(async () => {
    kafka = await startKafka();
  }, 180_000);
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await kafka?.stop();
  });

  it('hints come back within a bounded delay, the L1 miss ratio drops, waste stays under budget', {
    timeout: 90_000,
  }, async () => {
    const r = await runLiveLoop({
      broker: kafka!.broker,
      durationMs: 40_000,
      warmupMs: 15_000,
      instances: 2,
      usersPerInstance: 1,
      capacity: 45,
      wasteBudget: WASTE_BUDGET,
    });
    const summary = `L1 miss ratio off ${r.off.missRatio.toFixed(3)} on ${r.on.missRatio.toFixed(3)} (-${(100 * r.missReduction).toFixed(1)} %), wasted ${(100 * r.wastedFraction).toFixed(0)} %, hint delay p50 ${r.on.prefetch!.hintDelayMs.p50} ms p95 ${r.on.prefetch!.hintDelayMs.p95} ms`;
    process.stderr.write(`[prefetch live] ${summary}\n`);
    const pf = r.on.prefetch!;
    expect(r.daemon.samples).toBeGreaterThan(0);
    expect(pf.hints).toBeGreaterThan(0);
    expect(pf.issued).toBeGreaterThan(0);
    expect(pf.hintDelayMs.count).toBeGreaterThan(0);
    expect(pf.hintDelayMs.p95).toBeLessThan(500);
    expect(pf.used).toBeGreaterThan(0);
    expect(r.missReduction, summary).toBeGreaterThanOrEqual(0.2);
    expect(r.wastedFraction).toBeLessThanOrEqual(WASTE_BUDGET);
  });

  it('npm run demo with OMNICACHE_PREFETCH=on and the anomaly service daemon (omnicache-anomaly prefetch): the shop cache prefetches', {
    timeout: 120_000,
  }, async () => {
    // Only this test's variables (none inherited from the shell running the tests).
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('OMNICACHE_') && !k.startsWith('OTEL_')),
    );
    const daemon = run(
      [
        join(repoRoot, 'anomaly', 'bin', 'omnicache-anomaly.js'),
        'prefetch',
        '--brokers',
        kafka!.broker,
        '--group',
        'demo-shop',
      ],
      env,
    );
    children.push(daemon.child);
    await seen(daemon, /prefetch daemon for group demo-shop \(markov\) consuming/, 'the daemon start line');
    const demo = run(
      [
        join(repoRoot, 'sdk', 'demo', 'dist', 'main.js'),
        ...['--duration', '8', '--once', '--hold', '--port', '0', '--no-page'],
      ],
      { ...env, OMNICACHE_BUS_KAFKA_BROKERS: kafka!.broker, OMNICACHE_PREFETCH: 'on' },
    );
    children.push(demo.child);
    const exited = new Promise<number | null>((resolve) => demo.child.once('exit', resolve));
    const banner = await seen(
      demo,
      /^ {2}prefetch on \(Kafka, group demo-shop\); start .*$/m,
      'the prefetch banner',
    );
    expect(banner[0]).toContain(`--brokers ${kafka!.broker} --group demo-shop`);
    const metricsUrl = (
      await seen(demo, /^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m, 'the metrics URL')
    )[1]!;
    const line = await seen(
      demo,
      /^ {2}shop "demo-shop": ([\d,]+) page requests, L1 hit ([\d.]+)%, ([\d,]+) backend calls; prefetch: ([\d,]+) hints, ([\d,]+) issued, ([\d,]+) used, ([\d,]+) wasted/m,
      'the shop line after the pass',
    );
    process.stderr.write(`[prefetch demo] ${line[0].trim()}\n`);
    const [requests, , calls, hints, issued, used, wasted] = line
      .slice(1)
      .map((v) => Number(v.replaceAll(',', ''))) as number[];
    expect(requests).toBeGreaterThan(100);
    expect(hints).toBeGreaterThan(0);
    expect(issued).toBeGreaterThan(0);
    expect(used).toBeGreaterThan(0);
    expect(used! + wasted!).toBeLessThanOrEqual(issued!);
    // the prefetches went through the registered loaders (no lower tier here): backend calls include them
    expect(calls).toBeGreaterThanOrEqual(issued!);
    // the shop cache's prefetch counters are on /metrics (the demo holds after the pass), under the conventions' names
    const scraped = await (await fetch(metricsUrl)).text();
    const issuedSeries = new RegExp(
      `^${prometheusName(METRICS.prefetchIssued)}\\{[^}]*omnicache_cache_name="demo-shop"[^}]*\\} (\\d+)`,
      'm',
    ).exec(scraped);
    expect(Number(issuedSeries?.[1])).toBeGreaterThanOrEqual(issued!);
    demo.child.kill('SIGINT');
    expect(await exited).toBe(0);
    daemon.child.kill('SIGTERM');
  });
});

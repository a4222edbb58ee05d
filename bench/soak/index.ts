// `npm run bench -- soak [--minutes 30] [--workers 8] [--sample-seconds 10]`: a long mixed load on two cache
// instances across L1 (ARC) / L2 (a real Redis behind toxiproxy) / L3 (fsTier), with a fault every minute
// (Redis latency, partition, reset connections, crash; a full disk under L3; a failing loader). Every window
// records heap after GC, event-loop delay (perf_hooks.monitorEventLoopDelay), call latency percentiles, hit ratio,
// errors and wrong values (checked against a reference model); writes bench/results/soak.{json,md,svg} and
// reports heap growth as the slope of a least-squares fit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type Cache, createCache, fsTier, LoaderError, TimeoutError } from 'omnicache';
import { redisTier } from 'omnicache/redis';
import { payload, Reference, type Versioned } from '../../test/chaos/workload.js';
import { ensureDebianPackages } from '../../test/services/debian-packages.js';
import { startRedis } from '../../test/services/redis.js';
import { startToxiproxy } from '../../test/services/toxiproxy.js';
import { resultsDir, type Table, writeResults } from '../lib/report.js';
import { quantile } from '../lib/stats.js';
import { mulberry32, zipfCdf, zipfRank } from '../lib/zipf.js';
import { lineChart, type Shade } from './chart.js';

const KEYS = 20_000;
const ZIPF_S = 0.9;
const L1_CAPACITY = 2_000;
const TIER_MS = 150;
const TTL_MS = 20_000;
const GRACE_MS = 10_000;
const HARD_MS = 300;
const LOADER_MS = 2;
const FAULTS = [
  'redis-latency',
  'redis-partition',
  'redis-reset-peer',
  'fs-full',
  'redis-kill',
  'loader-fail',
] as const;
type Fault = (typeof FAULTS)[number];

export interface Sample {
  minute: number;
  fault: Fault | '';
  ops: number;
  opsPerSec: number;
  heapMB: number;
  rssMB: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  hitRatio: number;
  l1Hits: number;
  l2Hits: number;
  l3Hits: number;
  errors: number;
  typedLoaderErrors: number;
  wrong: number;
  breakers: string;
}

function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** The soak chart (heap, event-loop delay, call latency, hit ratio over time, faults shaded) from its samples. */
export function soakChart(
  samples: readonly Sample[],
  shades: Shade[],
  minutes: number,
  faultPeriodS: number,
): string {
  return lineChart(
    `OmniCache soak: ${minutes} min, L1 ARC + Redis L2 + fs L3, a fault every ${faultPeriodS} s (shaded)`,
    samples.map((s) => s.minute),
    [
      {
        title: 'heap after GC',
        unit: 'MB',
        series: [{ label: 'heapUsed', color: '#1f77b4', values: samples.map((s) => s.heapMB) }],
      },
      {
        title: 'event-loop delay',
        unit: 'ms',
        series: [
          { label: 'p99', color: '#d62728', values: samples.map((s) => s.eldP99Ms) },
          { label: 'p50', color: '#2ca02c', values: samples.map((s) => s.eldP50Ms) },
        ],
      },
      {
        title: 'call latency',
        unit: 'ms',
        series: [
          { label: 'p99', color: '#d62728', values: samples.map((s) => s.p99Ms) },
          { label: 'p50', color: '#2ca02c', values: samples.map((s) => s.p50Ms) },
        ],
      },
      {
        title: 'hit ratio',
        unit: 'fraction',
        series: [{ label: 'hits/(hits+misses)', color: '#9467bd', values: samples.map((s) => s.hitRatio) }],
      },
    ],
    shades,
  );
}

export async function soakBench(): Promise<void> {
  const { values: args } = parseArgs({
    args: process.argv.slice(3),
    options: {
      minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '30' },
      workers: { type: 'string', default: '8' },
      'sample-seconds': { type: 'string', default: '10' },
      /** A fault starts half-way through each period and lasts a quarter of it. */
      'fault-period': { type: 'string', default: '60' },
    },
  });
  const minutes = Number(args.minutes);
  const workersPerCache = Number(args.workers);
  const sampleMs = Number(args['sample-seconds']) * 1000;
  const FAULT_PERIOD_S = Number(args['fault-period']);
  const FAULT_AT_S = FAULT_PERIOD_S / 2;
  const FAULT_FOR_S = FAULT_PERIOD_S / 4;
  if (!(minutes > 0) || !(workersPerCache > 0) || !(sampleMs > 0) || !(FAULT_PERIOD_S > 0)) {
    throw new Error(
      'usage: npm run bench -- soak [--minutes N>0] [--workers N>0] [--sample-seconds N>0] [--fault-period S>0]',
    );
  }
  if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');
  await ensureDebianPackages([{ binary: 'redis-server', pkg: 'redis-server' }]);
  const [redis, toxi] = await Promise.all([startRedis({ name: 'soak-redis' }), startToxiproxy()]);
  const proxy = await toxi.createProxy('soak-redis', `127.0.0.1:${redis.port}`);
  const dir = mkdtempSync(join(tmpdir(), 'omnicache-soak-'));
  // The full disk is this process's file-size limit at 0: while it lasts, output to a file (a redirected stderr)
  // would fail with EFBIG, so progress lines wait until it is lifted.
  let diskFull = false;
  const held: string[] = [];
  const progress = (line: string) => {
    if (diskFull) held.push(line);
    else process.stderr.write(line);
  };
  const fsLimit = (soft: '0' | 'unlimited') => {
    execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${soft}:`]);
    diskFull = soft === '0';
    if (!diskFull) for (const line of held.splice(0)) process.stderr.write(line);
  };
  let loaderBroken = false;
  const ref = new Reference();
  const caches: Cache[] = [0, 1].map(() =>
    createCache({
      name: 'soak',
      l1: { capacity: L1_CAPACITY },
      l2: {
        tier: redisTier({ connection: { host: '127.0.0.1', port: proxy.port }, commandTimeoutMs: TIER_MS }),
        timeoutMs: TIER_MS,
        circuitBreaker: { failureThreshold: 5, windowMs: 2_000, openMs: 1_000 },
      },
      l3: {
        tier: fsTier(dir),
        timeoutMs: 300,
        circuitBreaker: { failureThreshold: 5, windowMs: 2_000, openMs: 1_000 },
      },
      defaults: { ttl: TTL_MS, grace: GRACE_MS, graceBackoff: 500, jitter: 0.1, timeouts: { hard: HARD_MS } },
    }),
  );
  process.stderr.write(
    `soak: ${minutes} min, ${caches.length} instances x ${workersPerCache} workers, Redis ${redis.port} via toxiproxy ${proxy.port}, fs L3 ${dir}\n`,
  );

  const started = performance.now();
  const end = started + minutes * 60_000;
  // The histogram records the whole interval between its timer's runs: the delay is that minus the resolution.
  const ELD_RESOLUTION_MS = 10;
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const delayMs = (ns: number) => +Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS).toFixed(2);
  eld.enable();
  let window: number[] = [];
  let windowErrors = 0;
  let windowTyped = 0;
  let windowWrong = 0;
  let activeFault: Fault | '' = '';
  const shades: Shade[] = [];
  const samples: Sample[] = [];
  const firstErrors: string[] = [];

  const loader = async (key: string): Promise<Versioned> => {
    if (loaderBroken) throw new Error('database unavailable');
    await sleep(LOADER_MS);
    return payload(key, ref.current(key), 256 + (key.length % 4) * 512);
  };
  const cdf = zipfCdf(KEYS, ZIPF_S);
  const worker = async (cache: Cache, seed: number) => {
    const random = mulberry32(seed);
    const pick = () => zipfRank(cdf, random());
    while (performance.now() < end) {
      const key = `k${pick()}`;
      const r = random();
      const t = performance.now();
      try {
        if (r < 0.1) {
          const v = ref.issue(key);
          // Only the current version is kept (for the wrong-value check): no history that would grow the heap.
          await cache.set(key, payload(key, v, 256 + (key.length % 4) * 512));
        } else {
          const value = (r < 0.3 ? await cache.get(key) : await cache.getOrSet(key, () => loader(key))) as
            | Versioned
            | undefined;
          if (value !== undefined && (value.k !== key || value.v > ref.current(key))) windowWrong++;
        }
      } catch (error) {
        if (loaderBroken && (error instanceof LoaderError || error instanceof TimeoutError)) windowTyped++;
        else {
          windowErrors++;
          if (firstErrors.length < 10) firstErrors.push(String(error));
        }
      }
      window.push(performance.now() - t);
      await sleep(1);
    }
  };

  const setFault = async (fault: Fault, on: boolean) => {
    if (fault === 'redis-latency') {
      if (on) await proxy.addToxic('latency', { latency: 400, jitter: 100 });
      else await proxy.clearToxics();
    } else if (fault === 'redis-partition') await proxy.setEnabled(!on);
    else if (fault === 'redis-reset-peer') {
      if (on) await proxy.addToxic('reset_peer', { timeout: 50 }, 'upstream');
      else await proxy.clearToxics();
    } else if (fault === 'redis-kill') {
      if (on) await redis.kill();
      else await redis.restart();
    } else if (fault === 'fs-full') fsLimit(on ? '0' : 'unlimited');
    else loaderBroken = on;
  };
  const faults = async () => {
    for (let i = 0; ; i++) {
      const at = started + (i * FAULT_PERIOD_S + FAULT_AT_S) * 1000;
      if (at + FAULT_FOR_S * 1000 > end) return;
      while (performance.now() < at) await sleep(Math.min(1000, at - performance.now()));
      const fault = FAULTS[i % FAULTS.length]!;
      activeFault = fault;
      const from = (performance.now() - started) / 60_000;
      await setFault(fault, true);
      try {
        await sleep(FAULT_FOR_S * 1000);
      } finally {
        await setFault(fault, false);
        activeFault = '';
        shades.push({ fromMin: from, toMin: (performance.now() - started) / 60_000, label: fault });
      }
    }
  };
  const prev = { hits: 0, misses: 0, l1: 0, l2: 0, l3: 0 };
  const sampler = async () => {
    let faultInWindow: Fault | '' = '';
    while (performance.now() < end) {
      const until = Math.min(end, performance.now() + sampleMs);
      while (performance.now() < until) {
        if (activeFault !== '') faultInWindow = activeFault;
        await sleep(Math.min(500, until - performance.now()));
      }
      const lat = window.sort((a, b) => a - b);
      window = [];
      const stats = caches.map((c) => c.stats());
      const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + f(s), 0);
      const now = {
        hits: sum((s) => s.requests.hits),
        misses: sum((s) => s.requests.misses),
        l1: sum((s) => s.tiers.l1.hits),
        l2: sum((s) => s.tiers.l2?.hits ?? 0),
        l3: sum((s) => s.tiers.l3?.hits ?? 0),
      };
      const dh = now.hits - prev.hits;
      const dm = now.misses - prev.misses;
      gc!();
      const mem = process.memoryUsage();
      const sample: Sample = {
        minute: +((performance.now() - started) / 60_000).toFixed(3),
        fault: faultInWindow,
        ops: lat.length,
        opsPerSec: Math.round(lat.length / (sampleMs / 1000)),
        heapMB: +(mem.heapUsed / 2 ** 20).toFixed(2),
        rssMB: +(mem.rss / 2 ** 20).toFixed(1),
        eldP50Ms: delayMs(eld.percentile(50)),
        eldP99Ms: delayMs(eld.percentile(99)),
        eldMaxMs: delayMs(eld.max),
        p50Ms: +quantile(lat, 0.5).toFixed(3),
        p99Ms: +quantile(lat, 0.99).toFixed(2),
        p999Ms: +quantile(lat, 0.999).toFixed(2),
        maxMs: +(lat.at(-1) ?? 0).toFixed(1),
        hitRatio: dh + dm === 0 ? 0 : +(dh / (dh + dm)).toFixed(4),
        l1Hits: now.l1 - prev.l1,
        l2Hits: now.l2 - prev.l2,
        l3Hits: now.l3 - prev.l3,
        errors: windowErrors,
        typedLoaderErrors: windowTyped,
        wrong: windowWrong,
        breakers: stats
          .map((s) => `${s.tiers.l2?.circuit.state[0]}${s.tiers.l3?.circuit.state[0]}`)
          .join(' '),
      };
      Object.assign(prev, now);
      windowErrors = 0;
      windowTyped = 0;
      windowWrong = 0;
      faultInWindow = activeFault;
      eld.reset();
      samples.push(sample);
      progress(`${JSON.stringify(sample)}\n`);
    }
  };

  try {
    const workers = caches.flatMap((c, ci) =>
      Array.from({ length: workersPerCache }, (_, i) => worker(c, 1000 * ci + i + 1)),
    );
    await Promise.all([...workers, faults(), sampler()]);
  } finally {
    fsLimit('unlimited');
    eld.disable();
    await Promise.all(caches.map((c) => c.close()));
    await toxi.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  // Growth: least-squares slope of heap-after-GC over time, leaving out the first 10% (L1 and the ARC filling up).
  const steady = samples.filter((s) => s.minute >= minutes * 0.1);
  const heapSlope = slope(
    steady.map((s) => s.minute),
    steady.map((s) => s.heapMB),
  );
  const rssSlope = slope(
    steady.map((s) => s.minute),
    steady.map((s) => s.rssMB),
  );
  const all = <K extends keyof Sample>(k: K) => samples.map((s) => s[k] as number);
  const totals = {
    ops: all('ops').reduce((a, b) => a + b, 0),
    errors: all('errors').reduce((a, b) => a + b, 0),
    typedLoaderErrors: all('typedLoaderErrors').reduce((a, b) => a + b, 0),
    wrong: all('wrong').reduce((a, b) => a + b, 0),
  };
  const med = (xs: number[]) => +quantile(xs, 0.5).toFixed(3);
  const summary = {
    minutes,
    workers: caches.length * workersPerCache,
    samples: samples.length,
    ...totals,
    heapMBFirst: steady[0]?.heapMB,
    heapMBLast: steady.at(-1)?.heapMB,
    heapSlopeMBPerHour: +(heapSlope * 60).toFixed(2),
    rssSlopeMBPerHour: +(rssSlope * 60).toFixed(2),
    eldP99MsMedian: med(all('eldP99Ms')),
    eldMaxMs: Math.max(...all('eldMaxMs')),
    p99MsMedian: med(all('p99Ms')),
    p99MsWorst: Math.max(...all('p99Ms')),
    hitRatioMedian: med(all('hitRatio')),
    faults: shades.length,
    firstErrors,
  };
  const svg = soakChart(samples, shades, minutes, FAULT_PERIOD_S);
  writeFileSync(`${resultsDir}soak.svg`, svg);
  const perFault: (string | number)[][] = FAULTS.map((f) => {
    const during = samples.filter((s) => s.fault === f);
    return [
      f,
      during.length,
      med(during.map((s) => s.p99Ms)),
      Math.max(0, ...during.map((s) => s.maxMs)),
      med(during.map((s) => s.hitRatio)),
      during.reduce((n, s) => n + s.errors, 0),
      during.reduce((n, s) => n + s.typedLoaderErrors, 0),
    ];
  });
  const quiet = samples.filter((s) => s.fault === '');
  perFault.unshift([
    '(none)',
    quiet.length,
    med(quiet.map((s) => s.p99Ms)),
    Math.max(0, ...quiet.map((s) => s.maxMs)),
    med(quiet.map((s) => s.hitRatio)),
    quiet.reduce((n, s) => n + s.errors, 0),
    0,
  ]);
  const tables: Table[] = [
    {
      title: 'Soak summary',
      columns: ['measure', 'value'],
      rows: [
        ['duration (min)', minutes],
        ['concurrent workers (2 instances)', summary.workers],
        ['calls', totals.ops],
        ['errors surfaced to callers (loader working)', totals.errors],
        ['typed loader errors while the loader was broken (nothing stale)', totals.typedLoaderErrors],
        ['wrong values', totals.wrong],
        ['heap after GC, first / last steady sample (MB)', `${summary.heapMBFirst} / ${summary.heapMBLast}`],
        ['heap slope (MB/hour, least squares after the first 10%)', summary.heapSlopeMBPerHour],
        ['rss slope (MB/hour)', summary.rssSlopeMBPerHour],
        ['event-loop delay p99, median of windows (ms)', summary.eldP99MsMedian],
        ['event-loop delay max (ms)', summary.eldMaxMs],
        ['call p99, median of windows / worst window (ms)', `${summary.p99MsMedian} / ${summary.p99MsWorst}`],
        ['hit ratio, median of windows', summary.hitRatioMedian],
        ['faults injected', summary.faults],
      ],
      notes: [
        `Command: \`npm run bench -- soak --minutes ${minutes}${FAULT_PERIOD_S === 60 ? '' : ` --fault-period ${FAULT_PERIOD_S}`}\`. Chart: bench/results/soak.svg.`,
        `${KEYS} keys (Zipf ${ZIPF_S}), L1 capacity ${L1_CAPACITY}, ttl ${TTL_MS / 1000} s, grace ${GRACE_MS / 1000} s, hard timeout ${HARD_MS} ms, tier budget ${TIER_MS} ms; 70% getOrSet, 20% get, 10% set.`,
        `A ${FAULT_FOR_S} s fault every ${FAULT_PERIOD_S} s, in turn: ${FAULTS.join(', ')}.`,
      ],
    },
    {
      title: `Per ${sampleMs / 1000} s window, by fault active in it`,
      columns: [
        'fault',
        'windows',
        'p99 ms (median)',
        'max ms',
        'hit ratio (median)',
        'errors',
        'typed loader errors',
      ],
      rows: perFault,
    },
  ];
  writeResults('soak', { summary, samples, faults: shades }, tables);
  process.stdout.write('chart: bench/results/soak.svg\n');
}

/**
 * The live prefetch loop on real Kafka, as the e2e test and `npm run bench -- prefetch` run it: app instances
 * (caches with small L1s) serve the demo's shop workload (`@omnicache/demo/workload`, what `npm run demo` runs);
 * with prefetch on, their access streams go to the anomaly service's prefetch daemon over Kafka and its hints come
 * back over Kafka. The same seeded workload runs with prefetch off, at the same time, on caches of their own, so
 * both see the same machine load.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrefetchDaemon, type PrefetchDaemonOptions, type PrefetchDaemonStats } from '@omnicache/anomaly';
import {
  browse,
  SHOP_WORKLOAD,
  type ShopBackend,
  type ShopWorkloadOptions,
  shopBackend,
} from '@omnicache/demo/workload';
import { type Cache, createCache, type PrefetchStats, withPrefetchSession } from 'omnicache';
import { kafkaPrefetchBus } from 'omnicache/kafka';

export interface LiveLoopOptions {
  broker: string;
  /** How long the workload runs (ms). */
  durationMs: number;
  /** The first part of the run, while the model learns: the figures cover the rest (ms). */
  warmupMs: number;
  /** App instances (caches) and users per instance. */
  instances: number;
  usersPerInstance: number;
  /** L1 capacity of each instance (entries). */
  capacity: number;
  wasteBudget: number;
  workload?: ShopWorkloadOptions;
  /** Daemon settings beyond bus and group (model, maxHints, minConfidence, modelOptions, ...). */
  daemon?: Omit<PrefetchDaemonOptions, 'bus' | 'group'>;
  seed?: number;
  /** Run each user in a prefetch session of its own (withPrefetchSession): the model keeps a context per user. */
  sessions?: boolean;
}

export interface LiveRun {
  /** Requests after the warm-up (and the L1 figures below over the same window). */
  requests: number;
  l1Hits: number;
  l1Misses: number;
  /** L1 misses / requests over every instance. */
  missRatio: number;
  backendCalls: number;
  /** Request latency percentiles (ms). */
  p50: number;
  p95: number;
  /** L1 miss ratio over the whole run, warm-up included. */
  missRatioWholeRun: number;
  /** Summed over the instances, whole run (prefetch on only). */
  prefetch?: PrefetchStats;
}

export interface LiveLoopResult {
  off: LiveRun;
  on: LiveRun;
  daemon: PrefetchDaemonStats;
  /** 1 - on.missRatio / off.missRatio. */
  missReduction: number;
  /** wasted / (used + wasted) with prefetch on. */
  wastedFraction: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function sumPrefetch(all: PrefetchStats[]): PrefetchStats {
  const out = structuredClone(all[0]!);
  for (const s of all.slice(1)) {
    for (const k of ['hints', 'issued', 'used', 'wasted', 'rejected', 'outstanding'] as const) out[k] += s[k];
    for (const r of Object.keys(out.dropped) as (keyof PrefetchStats['dropped'])[])
      out.dropped[r] += s.dropped[r];
    for (const r of Object.keys(out.samples) as (keyof PrefetchStats['samples'])[])
      out.samples[r] += s.samples[r];
    out.shadow.used += s.shadow.used;
    out.shadow.wasted += s.shadow.wasted;
    out.hintDelayMs.count += s.hintDelayMs.count;
    out.hintDelayMs.p50 = Math.max(out.hintDelayMs.p50, s.hintDelayMs.p50);
    out.hintDelayMs.p95 = Math.max(out.hintDelayMs.p95, s.hintDelayMs.p95);
    out.hintDelayMs.max = Math.max(out.hintDelayMs.max, s.hintDelayMs.max);
    out.rateFactor = Math.min(out.rateFactor, s.rateFactor);
  }
  return out;
}

async function runSide(caches: Cache[], o: LiveLoopOptions, backends: ShopBackend[]): Promise<LiveRun> {
  const workload = o.workload ?? SHOP_WORKLOAD;
  const start = Date.now();
  const until = start + o.durationMs;
  const requests: { at: number; ms: number }[] = [];
  const onRequest = (at: number, ms: number) => {
    requests.push({ at, ms });
  };
  const runs: Promise<number>[] = [];
  caches.forEach((cache, i) => {
    for (let u = 0; u < o.usersPerInstance; u++) {
      const seed = (o.seed ?? 1) * 1000 + i * 100 + u;
      const run = () => browse(cache, backends[i]!, workload, { seed, until, onRequest });
      runs.push(o.sessions === true ? withPrefetchSession(`user-${i}-${u}`, run) : run());
    }
  });
  const l1 = () => {
    let hits = 0;
    let misses = 0;
    for (const c of caches) {
      hits += c.stats().tiers.l1.hits;
      misses += c.stats().tiers.l1.misses;
    }
    return { hits, misses };
  };
  await sleep(o.warmupMs);
  const warm = l1();
  await Promise.all(runs);
  const end = l1();
  const latencies = requests
    .filter((r) => r.at >= start + o.warmupMs)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const hits = end.hits - warm.hits;
  const misses = end.misses - warm.misses;
  const prefetch: PrefetchStats[] = [];
  for (const c of caches) {
    const s = c.stats().prefetch;
    if (s) prefetch.push(s);
  }
  const run: LiveRun = {
    requests: latencies.length,
    l1Hits: hits,
    l1Misses: misses,
    missRatio: misses / Math.max(1, hits + misses),
    missRatioWholeRun: end.misses / Math.max(1, end.hits + end.misses),
    backendCalls: backends.reduce((n, b) => n + b.calls, 0),
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
  };
  if (prefetch.length > 0) run.prefetch = sumPrefetch(prefetch);
  return run;
}

export async function runLiveLoop(o: LiveLoopOptions): Promise<LiveLoopResult> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const group = `shop-${randomUUID().slice(0, 8)}`;
  const hashKey = randomUUID();
  const daemon = new PrefetchDaemon({
    bus: kafkaPrefetchBus({ brokers: [o.broker], maxWaitTimeInMs: 20 }),
    group,
    model: 'markov',
    ...o.daemon,
  });
  const off: Cache[] = [];
  const on: Cache[] = [];
  try {
    await daemon.start();
    for (let i = 0; i < o.instances; i++) {
      off.push(createCache({ name: `shop-off-${i}`, l1: { capacity: o.capacity } }));
      on.push(
        createCache({
          name: `shop-on-${i}`,
          l1: { capacity: o.capacity },
          prefetch: {
            bus: kafkaPrefetchBus({ brokers: [o.broker], maxWaitTimeInMs: 20 }),
            group,
            hashKey,
            sample: { flushMs: 10 },
            wasteBudget: o.wasteBudget,
          },
        }),
      );
    }
    const workload = o.workload ?? SHOP_WORKLOAD;
    const offBackend = off.map((c) => shopBackend(c, workload));
    const onBackend = on.map((c) => shopBackend(c, workload));
    await Promise.all(on.map((c) => c.prefetch?.ready));
    const [offRun, onRun] = await Promise.all([runSide(off, o, offBackend), runSide(on, o, onBackend)]);
    const pf = onRun.prefetch!;
    return {
      off: offRun,
      on: onRun,
      daemon: daemon.stats(),
      missReduction: 1 - onRun.missRatio / offRun.missRatio,
      wastedFraction: pf.wasted / Math.max(1, pf.used + pf.wasted),
    };
  } finally {
    await Promise.all([...off, ...on].map((c) => c.close()));
    await daemon.close();
  }
}

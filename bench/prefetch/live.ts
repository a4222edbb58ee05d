// The live figures of `npm run bench -- prefetch`: the learned prefetch loop end to end on a real Kafka the bench
// starts on 127.0.0.1 (test/services), the demo's shop workload (`@omnicache/demo/workload`, what `npm run demo`
// runs) with prefetch off and on side by side (same seeds, same time, caches of their own), several rounds per
// configuration. The replay table (models on traces) is the other
// section of the suite (BENCH_PREFETCH_SECTIONS=live runs this one alone).

import { SHOP_WORKLOAD } from '@omnicache/demo/workload';
import { type LiveLoopResult, runLiveLoop } from '../../test/prefetch/live-loop.js';
import { startKafka } from '../../test/services/kafka.js';
import type { Table } from '../lib/report.js';
import { median } from '../lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_MS = Number(process.env.BENCH_PREFETCH_DURATION_MS ?? 40_000);
const WARMUP_MS = Number(process.env.BENCH_PREFETCH_WARMUP_MS ?? 15_000);
const WASTE_BUDGET = 0.5;

interface Config {
  name: string;
  instances: number;
  usersPerInstance: number;
  capacity: number;
  /** Each user in a prefetch session of its own (withPrefetchSession). */
  sessions?: boolean;
}

const CONFIGS: Config[] = [
  { name: '2 instances x 1 user', instances: 2, usersPerInstance: 1, capacity: 45 },
  { name: '4 instances x 1 user', instances: 4, usersPerInstance: 1, capacity: 45 },
  { name: '2 instances x 2 users (interleaved)', instances: 2, usersPerInstance: 2, capacity: 45 },
  {
    name: '2 instances x 2 users (interleaved, a prefetch session per user)',
    instances: 2,
    usersPerInstance: 2,
    capacity: 45,
    sessions: true,
  },
];
/** BENCH_PREFETCH_CONFIGS=interleaved runs only the configurations whose name contains that text. */
const ONLY = process.env.BENCH_PREFETCH_CONFIGS;

export async function livePrefetchSection(): Promise<{ data: object; tables: Table[] }> {
  const kafka = await startKafka();
  process.stderr.write(`kafka ${kafka.broker}\n`);
  const results: { config: Config; rounds: LiveLoopResult[] }[] = [];
  try {
    for (const config of CONFIGS.filter((c) => ONLY === undefined || c.name.includes(ONLY))) {
      const rounds: LiveLoopResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        process.stderr.write(`live prefetch: ${config.name}, round ${round + 1}/${ROUNDS} ...\n`);
        rounds.push(
          await runLiveLoop({
            broker: kafka.broker,
            durationMs: DURATION_MS,
            warmupMs: WARMUP_MS,
            wasteBudget: WASTE_BUDGET,
            seed: round + 1,
            ...config,
          }),
        );
      }
      results.push({ config, rounds });
    }
  } finally {
    await kafka.stop();
  }
  const m = (rs: LiveLoopResult[], f: (r: LiveLoopResult) => number) => median(rs.map(f));
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const rows = results.map(({ config, rounds: rs }) => {
    const precision = (r: LiveLoopResult) => 1 - r.wastedFraction;
    const reductions = rs.map((r) => r.missReduction);
    return [
      config.name,
      m(rs, (r) => r.off.missRatio),
      m(rs, (r) => r.on.missRatio),
      pct(m(rs, (r) => r.missReduction)),
      `${pct(Math.min(...reductions))}–${pct(Math.max(...reductions))}`,
      pct(m(rs, precision)),
      `${pct(m(rs, (r) => r.wastedFraction))} (${m(rs, (r) => r.on.prefetch!.wasted)} of ${m(rs, (r) => r.on.prefetch!.used + r.on.prefetch!.wasted)}; budget ${pct(WASTE_BUDGET)})`,
      `${m(rs, (r) => r.on.prefetch!.issued)} / ${m(rs, (r) => r.on.prefetch!.hints)}`,
      pct(
        m(
          rs,
          (r) =>
            r.on.prefetch!.shadow.used /
            Math.max(1, r.on.prefetch!.shadow.used + r.on.prefetch!.shadow.wasted),
        ),
      ),
      `${m(rs, (r) => r.on.prefetch!.hintDelayMs.p50)} / ${m(rs, (r) => r.on.prefetch!.hintDelayMs.p95)}`,
      `${m(rs, (r) => r.off.p95).toFixed(1)} / ${m(rs, (r) => r.on.p95).toFixed(1)}`,
      `${m(rs, (r) => r.off.backendCalls)} / ${m(rs, (r) => r.on.backendCalls)}`,
    ];
  });
  const w = SHOP_WORKLOAD;
  const tables: Table[] = [
    {
      title: `Live prefetch loop on Kafka: L1 miss ratio, prefetch off vs on (median of ${ROUNDS} rounds)`,
      columns: [
        'configuration',
        'miss ratio off',
        'miss ratio on',
        'miss reduction',
        'reduction range',
        'precision (used / settled)',
        'wasted (count of settled)',
        'prefetches issued / hints',
        'shadow precision (hints not acted on)',
        'hint delay p50 / p95 (ms)',
        'request p95 off / on (ms)',
        'backend calls off / on',
      ],
      rows,
      notes: [
        `Workload: users open product:p, then reviews:p after ${w.thinkMs[0]} ms, related:p after ${w.thinkMs[1]} ms, then the next product after ${w.thinkMs[2]} ms: one of p's 3 related products with probability ${w.followRelated}, else Zipf(${w.skew}) over ${w.products} products. Every key's loader is a ${w.loaderMs} ms backend call. L1 ARC of 45 entries per instance.`,
        `Each run: ${DURATION_MS / 1000} s; the figures cover the time after a ${WARMUP_MS / 1000} s warm-up in which the model learns online (it only ever sees the past). Off and on run at the same time with the same seeds on caches of their own.`,
        'On: every access is sampled (keys as a keyed HMAC, batches every 10 ms) to a Kafka topic; the anomaly service prefetch daemon (in this process) feeds one Markov model per instance and publishes hints (confidence, 5 s deadline) to a second topic; the executors prefetch through the registered loaders into ARC T1, at most 25 % of L1 outstanding; per loader pattern within the waste budget plus a probe allowance of 4 wasted prefetches (per period of issuing), off while over the budget, hints then scored in shadow until they would be right again.',
        'hint delay: from the newest access the model had seen to the hints arriving at the cache (both on this machine).',
        'backend calls: demand loads plus prefetches (prefetch trades backend calls for fewer misses).',
        'wasted: whole run (warm-up included), median over rounds; the count is wasted of settled prefetches. shadow precision: of the hints not acted on while a pattern was off or out of allowance, the share whose key was read in time (while a prefetched entry would still have been in L1).',
        'Interleaved rows: two concurrent users in one instance stream blur the transitions an ordered model learns; without sessions about 10 % of its prefetches are used, and the waste budget stops each pattern after its probe allowance. With a prefetch session per user (withPrefetchSession) the model keeps a context per user.',
      ],
    },
  ];
  return {
    data: {
      live: {
        config: {
          rounds: ROUNDS,
          durationMs: DURATION_MS,
          warmupMs: WARMUP_MS,
          workload: w,
          wasteBudget: WASTE_BUDGET,
        },
        results: results.map(({ config, rounds }) => ({ ...config, rounds })),
      },
    },
    tables,
  };
}

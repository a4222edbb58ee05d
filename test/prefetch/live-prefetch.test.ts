// The learned prefetch loop end to end on a real Kafka (KRaft): two app instances serve the shop workload
// (product page -> its reviews -> its related items; next product related or Zipf-popular) through small L1s;
// their sampled access streams reach the anomaly service's prefetch daemon over Kafka, its Markov model's hints
// come back over Kafka, and the executors prefetch. The same seeded workload runs with prefetch off at the same
// time on caches of its own. Figures are taken after a warm-up in which the model learns (online: it only ever
// sees the past). One user per instance: the models learn one ordered stream per instance, and concurrent
// sessions interleaved in one stream blur the transitions (measured in the bench, reported there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaHandle, startKafka } from '../services/index.js';
import { runLiveLoop } from './live-loop.js';

const WASTE_BUDGET = 0.5;

describe('learned prefetch on Kafka', () => {
  let kafka: KafkaHandle | undefined;
  beforeAll(async () => {
    kafka = await startKafka();
  }, 180_000);
  afterAll(async () => {
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
});

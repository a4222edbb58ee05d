// Chaos on the invalidation bus: the Kafka broker (KRaft, its own) is killed and restarted under mixed load on
// two cache instances sharing a Redis L2. Callers never wait for the bus: no error, no latency beyond the call
// budget; the bus catches up by itself (nothing queued or dropped once the broker is back).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Cache, createCache } from '../../sdk/core/src/index.js';
import { kafkaBus } from '../../sdk/core/src/kafka.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { type KafkaHandle, startKafka } from '../services/index.js';
import { expectResilient, LOADER_MS, runChaos, SLACK_MS, standardLoad, TTL_MS } from './scenario.js';
import { at } from './workload.js';

const TIER_MS = 150;
const BUDGET_MS = 2 * TIER_MS + LOADER_MS + SLACK_MS;

describe('chaos: Kafka broker restart under the invalidation bus', () => {
  let kafka: KafkaHandle;
  beforeAll(async () => {
    kafka = await startKafka();
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  });

  it('broker killed and restarted: callers unaffected, the bus recovers', async () => {
    const name = `chaos-kafka-${randomUUID().slice(0, 8)}`;
    const caches = [0, 1].map(() =>
      createCache({
        name,
        l1: { capacity: 64 },
        l2: {
          tier: redisTier({ connection: inject('redis').url, commandTimeoutMs: TIER_MS }),
          timeoutMs: TIER_MS,
        },
        defaults: { ttl: TTL_MS },
        bus: {
          bus: kafkaBus({ brokers: [kafka.broker] }),
          heartbeatMs: 200,
          retryMinMs: 20,
          retryMaxMs: 500,
        },
      }),
    );
    try {
      await Promise.all(caches.map((c) => c.bus!.ready));
      let restartedAt = Number.NaN;
      const r = await runChaos('kafka-broker-restart', {
        ...standardLoad(BUDGET_MS),
        caches,
        // A KRaft restart takes several seconds here: the load goes on until it is back, and 4 s more.
        durationMs: 6_000,
        tailMs: 4_000,
        script: async (elapsed) => {
          await kafka.kill();
          await at(elapsed, 2_500);
          await kafka.restart();
          restartedAt = elapsed();
        },
        // The bus catches up: everything queued while the broker was down is sent (then the heap is measured).
        drained: async () => {
          const deadline = Date.now() + 20_000;
          while (Date.now() < deadline && caches.some((c) => c.stats().invalidation!.queued > 0))
            await sleep(200);
        },
        extra: () => ({
          restartedAtMs: Math.round(restartedAt),
          bus: caches.map((c) => c.stats().invalidation),
        }),
      });
      expectResilient(r, { opened: [] });
      for (const s of caches.map((c) => c.stats().invalidation!)) {
        expect(s.queued).toBe(0);
        expect(s.messages.dropped).toBe(0);
        expect(s.messages.received).toBeGreaterThan(0);
      }
      // And it invalidates again, both ways: a write on one instance reaches the other's L1 (a copy with a long
      // TTL, so only the bus can end it).
      const [a, b] = caches as [Cache, Cache];
      const propagation: number[] = [];
      for (const [writer, reader] of [
        [a, b],
        [b, a],
      ] as const) {
        const key = `probe-${propagation.length}`;
        await writer.set(key, 1, { ttl: 60_000 });
        expect(await reader.get(key)).toBe(1);
        const t = performance.now();
        await writer.set(key, 2, { ttl: 60_000 });
        while ((await reader.get(key)) !== 2 && performance.now() - t < 10_000) await sleep(10);
        propagation.push(Math.round(performance.now() - t));
      }
      process.stderr.write(`[chaos kafka-broker-restart] invalidation after recovery (ms): ${propagation}\n`);
      for (const ms of propagation) expect(ms).toBeLessThan(1_000);
    } finally {
      await Promise.all(caches.map((c) => c.close()));
    }
  });
});

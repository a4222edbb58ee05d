// Chaos on a real Redis Cluster L2 (its own 3 masters + 3 replicas, cluster-node-timeout 1 s): a master is
// killed (SIGKILL) under mixed load on two cache instances; its replica is promoted and the cache must go on
// without an error, then use the cluster again by itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../../sdk/core/src/index.js';
import { redisClusterTier } from '../../sdk/core/src/redis.js';
import { type RedisClusterHandle, startRedisCluster } from '../services/index.js';
import { respCommand } from '../services/resp-command.js';
import {
  expectResilient,
  FAST_BREAKER,
  LOADER_MS,
  runChaos,
  SLACK_MS,
  standardLoad,
  TTL_MS,
} from './scenario.js';
import { at } from './workload.js';

const TIER_MS = 150;
const BUDGET_MS = 2 * TIER_MS + LOADER_MS + SLACK_MS;

const role = async (port: number) =>
  /role:(\w+)/.exec(await respCommand(port, ['INFO', 'replication']).catch(() => ''))?.[1];

describe('chaos: Redis Cluster master failover under load', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a master is killed, its replica promoted; no caller sees an error', async () => {
    const roles = await Promise.all(cluster.nodes.map((n) => role(n.port)));
    const victim = cluster.nodes[roles.indexOf('master')]!;
    const replicas = cluster.nodes.filter((_, i) => roles[i] === 'slave');
    const name = `chaos-cluster-${randomUUID().slice(0, 8)}`;
    const caches = [0, 1].map(() =>
      createCache({
        name,
        l1: { capacity: 64 },
        l2: {
          tier: redisClusterTier({ nodes: [...cluster.startupNodes], commandTimeoutMs: TIER_MS }),
          timeoutMs: TIER_MS,
          circuitBreaker: FAST_BREAKER,
        },
        defaults: { ttl: TTL_MS },
      }),
    );
    try {
      let promotedAfterMs = Number.NaN;
      const r = await runChaos('redis-cluster-failover', {
        ...standardLoad(BUDGET_MS),
        caches,
        durationMs: 9_000,
        settleMs: 5_000,
        script: async (elapsed) => {
          const killedAt = elapsed();
          await victim.kill();
          while (elapsed() < 8_000) {
            const now = await Promise.all(replicas.map((n) => role(n.port)));
            if (now.includes('master')) {
              promotedAfterMs = elapsed() - killedAt;
              break;
            }
            await at(elapsed, elapsed() + 100);
          }
        },
        extra: () => ({ promotedAfterMs: Math.round(promotedAfterMs) }),
      });
      expect(promotedAfterMs, 'a replica was promoted').toBeLessThan(8_000);
      expectResilient(r, { opened: ['l2'] });
      // The cluster is whole again: writes to every slot work through the caches.
      const after = await respCommand(replicas[0]!.port, ['CLUSTER', 'INFO']);
      expect(after).toContain('cluster_state:ok');
      for (let i = 0; i < 50; i++) await caches[0]!.set(`after-${i}`, i);
      expect(caches[0]!.stats().tiers.l2!.circuit.state).toBe('closed');
    } finally {
      await Promise.all(caches.map((c) => c.close()));
    }
  });
});

// Keys and tags with random Unicode through real Redis and Redis Cluster (short runs; `npm run bench -- fuzz` runs
// the Redis property far longer): set refuses exactly the invalid ones, no two accepted keys collide, deleteByTag
// removes exactly the tagged keys.
import { describe, expect, inject, it } from 'vitest';
import { redisClusterTier, redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import { keysAndTags } from '../../sdk/core/test/reliability/fuzz-properties.js';

const redis = inject('redis');
const cluster = inject('redisCluster');

describe('fuzz: keys and tags through Redis', () => {
  it.each([
    ['redis', () => redisTier({ connection: redis.url })],
    ['redis cluster', () => redisClusterTier({ nodes: cluster.startupNodes, commandTimeoutMs: 2000 })],
  ] as const)('%s', async (label, make) => {
    const outcome = await keysAndTags(label, async () => ({
      tier: make(),
      cleanup: () => Promise.resolve(),
    })).run(40);
    expect(outcome.failure ?? '', `seed ${outcome.seed}`).toBe('');
    expect(outcome.counts.stored).toBeGreaterThan(0);
    expect(outcome.counts.refused).toBeGreaterThan(0);
  });
});

import { inject } from 'vitest';
import { redisClusterTier } from '../../sdk/core/src/tiers/redis/index.js';
import { describeTierBehaviour } from './tier-behaviour.js';

const cluster = inject('redisCluster');

describeTierBehaviour('redis cluster', async () => ({
  tier: redisClusterTier({ nodes: cluster.startupNodes, commandTimeoutMs: 2000 }),
}));

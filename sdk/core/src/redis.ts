/** omnicache/redis: L2 tiers on Redis (single node and Cluster) and a Redis lock. Needs `ioredis` installed. */
export type {
  RedisClusterTierOptions,
  RedisConnection,
  RedisTierCommonOptions,
  RedisTierOptions,
} from './tiers/redis/index.js';
export {
  RedisLock,
  type RedisLockOptions,
  RedisTier,
  redisClusterTier,
  redisTier,
} from './tiers/redis/index.js';

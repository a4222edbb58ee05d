/** omnicache/redis: L2 tiers on Redis (single node and Cluster) and a Redis lock. Needs `ioredis` installed. */

export {
  RedisBus,
  type RedisBusCommonOptions,
  type RedisBusOptions,
  RedisClusterBus,
  type RedisClusterBusOptions,
  redisBus,
  redisClusterBus,
} from './invalidation/redis/redis-bus.js';
export { type RedisPrefetchBusOptions, redisPrefetchBus } from './prefetch/redis-prefetch-bus.js';
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

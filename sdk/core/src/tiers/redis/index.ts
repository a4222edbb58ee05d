export type {
  RedisClusterTierOptions,
  RedisConnection,
  RedisTierCommonOptions,
  RedisTierOptions,
} from './options.js';
export { RedisLock, type RedisLockOptions } from './redis-lock.js';
export { RedisTier } from './redis-tier.js';
export {
  clusterClientOptions,
  redisClientOptions,
  redisClusterTier,
  redisTier,
} from './redis-tier-factory.js';

import type { ClusterOptions, Redis as IoRedis, RedisOptions } from 'ioredis';
import { Cluster, Redis } from './ioredis.js';
import type { RedisClusterTierOptions, RedisConnection, RedisTierOptions } from './options.js';
import { RedisTier } from './redis-tier.js';

/**
 * Client defaults for connections the tier creates: a short connect timeout and at most one retry per command,
 * so commands do not queue for long while Redis is down (the tier also fails fast once a ready connection drops).
 */
export function redisClientOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    ...overrides,
  };
}

export function clusterClientOptions(overrides: ClusterOptions = {}): ClusterOptions {
  return {
    clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    ...overrides,
    redisOptions: redisClientOptions(overrides.redisOptions),
  };
}

function createRedis(connection: RedisConnection): IoRedis {
  if (typeof connection === 'string') return new Redis(connection, redisClientOptions());
  const { url, ...options } = connection;
  return url ? new Redis(url, redisClientOptions(options)) : new Redis(redisClientOptions(options));
}

/** L2 tier on a single Redis node: `redisTier({ connection: 'redis://127.0.0.1:6379' })` or `redisTier({ client })`. */
export function redisTier(options: RedisTierOptions): RedisTier {
  if ('client' in options)
    return new RedisTier(options.client, { ...options, owned: false, cluster: undefined });
  return new RedisTier(createRedis(options.connection), { ...options, owned: true, cluster: undefined });
}

/** L2 tier on a Redis Cluster: `redisClusterTier({ nodes: [{ host, port }] })` or `redisClusterTier({ client })`. */
export function redisClusterTier(options: RedisClusterTierOptions): RedisTier {
  if ('client' in options)
    return new RedisTier(options.client, { ...options, owned: false, cluster: options.client });
  const cluster = new Cluster(options.nodes, clusterClientOptions(options.clusterOptions));
  return new RedisTier(cluster, { ...options, owned: true, cluster });
}

import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

export interface RedisTierCommonOptions {
  /** Prepended to every value, tag and lock key this tier writes (default ''). Keys already arrive qualified by the cache. */
  keyPrefix?: string;
  /** Budget for one tier call in ms (default 500). Exceeding it rejects with TimeoutError. */
  commandTimeoutMs?: number;
  /**
   * Fail a call at once with TierError while a connection that was ready is reconnecting, instead of waiting for the
   * timeout (default true). This lets the cache's circuit breaker open quickly during an outage.
   */
  failFastWhenDisconnected?: boolean;
  /**
   * How long (ms) a key delete leaves a tombstone (default 60 000; 0: no tombstones, deletes remove the key and
   * write-backs are not conditional). While it lives, a write-back of a load that read the key before the delete
   * is refused (docs/invalidation.md); the cache does not write back a load that read the key longer ago than this.
   */
  tombstoneMs?: number;
}

export type RedisConnection =
  | string
  | (RedisOptions & {
      /** A redis:// or rediss:// URL; the other options override what it says. */
      url?: string;
    });

/** Either an existing client (the caller keeps ownership and closes it) or connection options (the tier owns and closes the client). */
export type RedisTierOptions = RedisTierCommonOptions & ({ client: Redis } | { connection: RedisConnection });

/** Either an existing Cluster (the caller keeps ownership) or seed nodes + options (the tier owns and closes it). */
export type RedisClusterTierOptions = RedisTierCommonOptions &
  ({ client: Cluster } | { nodes: ClusterNode[]; clusterOptions?: ClusterOptions });

export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
export const DEFAULT_TOMBSTONE_MS = 60_000;

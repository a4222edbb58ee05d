/**
 * Invalidation bus over Redis pub/sub (omnicache/redis). Single node: PUBLISH / SUBSCRIBE on a dedicated
 * subscriber connection. Cluster: sharded pub/sub (SPUBLISH / SSUBSCRIBE), so messages stay on the shard that
 * owns the channel's slot instead of being broadcast over the whole cluster bus. Pub/sub does not keep messages:
 * a subscriber that was disconnected missed what was published meanwhile, so a re-established subscription
 * reports a reset (the cache clears its L1); heartbeats reveal the rest (see invalidation/sequence.ts).
 */
import type { ClusterNode, ClusterOptions, Cluster as IoCluster, Redis as IoRedis } from 'ioredis';
import { ConfigError } from '../../errors.js';
import { withTimeout } from '../../resilience/timeout.js';
import { Cluster, Redis } from '../../tiers/redis/ioredis.js';
import type { RedisConnection } from '../../tiers/redis/options.js';
import { clusterClientOptions, redisClientOptions } from '../../tiers/redis/redis-tier-factory.js';
import type { Bus, BusHandler, BusOutgoing } from '../bus.js';

export interface RedisBusCommonOptions {
  /** Channel name (default `omnicache:invalidation:<group>`). */
  channel?: string;
  /** Budget for one PUBLISH in ms (default 1000); a slower or failed publish is queued and retried by the cache. */
  publishTimeoutMs?: number;
  /** False: publish only, no subscriber connection (the prefetch access stream's producers). Default true. */
  subscribe?: boolean;
}

/** An existing client (the bus duplicates it for subscribing; the caller keeps and closes it) or connection options. */
export type RedisBusOptions = RedisBusCommonOptions & ({ client: IoRedis } | { connection: RedisConnection });

/**
 * Seed nodes (the bus creates a Cluster client with `shardedSubscribers: true`) or an existing Cluster client
 * created with `shardedSubscribers: true` (the caller keeps and closes it).
 */
export type RedisClusterBusOptions = RedisBusCommonOptions &
  ({ client: IoCluster } | { nodes: ClusterNode[]; clusterOptions?: ClusterOptions });

export const defaultChannel = (group: string): string => `omnicache:invalidation:${group}`;

export function createRedis(connection: RedisConnection): IoRedis {
  if (typeof connection === 'string') return new Redis(connection, redisClientOptions());
  const { url, ...options } = connection;
  return url ? new Redis(url, redisClientOptions(options)) : new Redis(redisClientOptions(options));
}

export class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly ordered = true;
  readonly #pub: IoRedis;
  readonly #ownsPub: boolean;
  #sub: IoRedis | undefined;
  #channel = '';
  readonly #options: RedisBusCommonOptions;

  constructor(options: RedisBusOptions) {
    this.#options = options;
    if ('client' in options) {
      this.#pub = options.client;
      this.#ownsPub = false;
    } else {
      this.#pub = createRedis(options.connection);
      this.#ownsPub = true;
      this.#pub.on('error', () => {});
    }
  }

  async start(group: string, handler: BusHandler): Promise<void> {
    this.#channel = this.#options.channel ?? defaultChannel(group);
    this.#sub?.disconnect(); // a previous start that failed
    if (this.#options.subscribe === false) return;
    // A subscriber connection that keeps retrying (it must come back after an outage) and re-subscribes itself.
    const sub = this.#pub.duplicate({ maxRetriesPerRequest: null, autoResubscribe: true });
    this.#sub = sub;
    sub.on('error', () => {});
    const channel = this.#channel;
    sub.on('messageBuffer', (ch: Buffer, message: Buffer) => {
      if (ch.toString() === channel) handler.message(message);
    });
    let subscribed = false;
    sub.on('ready', () => {
      // ioredis re-subscribes on reconnect; what was published while we were away is gone.
      if (subscribed) handler.reset(`Redis subscription to ${channel} re-established after a disconnect`);
    });
    await sub.subscribe(channel);
    subscribed = true;
  }

  async publish(messages: readonly BusOutgoing[]): Promise<void> {
    if (this.#pub.status !== 'ready') throw new Error(`Redis publisher is ${this.#pub.status}`);
    // Sent back to back on one connection: Redis delivers them in this order.
    await withTimeout(
      Promise.all(messages.map((m) => this.#pub.publish(this.#channel, m.payload))),
      this.#options.publishTimeoutMs ?? 1000,
      'PUBLISH',
    );
  }

  async close(): Promise<void> {
    this.#sub?.disconnect();
    if (this.#ownsPub) this.#pub.disconnect();
  }
}

export class RedisClusterBus implements Bus {
  readonly kind = 'redis-cluster';
  readonly ordered = true;
  readonly #cluster: IoCluster;
  readonly #owns: boolean;
  #channel = '';
  readonly #options: RedisBusCommonOptions;
  #listener: ((ch: Buffer, message: Buffer) => void) | undefined;

  constructor(options: RedisClusterBusOptions) {
    this.#options = options;
    if ('client' in options) {
      if (options.client.options.shardedSubscribers !== true) {
        throw new ConfigError(
          'redisClusterBus({ client }) needs a Cluster created with { shardedSubscribers: true } (SSUBSCRIBE); or pass { nodes } and let the bus create one',
        );
      }
      this.#cluster = options.client;
      this.#owns = false;
    } else {
      this.#cluster = new Cluster(
        options.nodes,
        clusterClientOptions({ ...options.clusterOptions, shardedSubscribers: true }),
      );
      this.#cluster.on('error', () => {});
      this.#owns = true;
    }
  }

  async start(group: string, handler: BusHandler): Promise<void> {
    this.#channel = this.#options.channel ?? defaultChannel(group);
    const channel = this.#channel;
    this.#listener = (ch: Buffer, message: Buffer) => {
      if (ch.toString() === channel) handler.message(message);
    };
    this.#cluster.on('smessageBuffer', this.#listener);
    await this.#cluster.ssubscribe(channel);
  }

  async publish(messages: readonly BusOutgoing[]): Promise<void> {
    if (this.#cluster.status !== 'ready')
      throw new Error(`Redis Cluster publisher is ${this.#cluster.status}`);
    await withTimeout(
      Promise.all(messages.map((m) => this.#cluster.spublish(this.#channel, m.payload))),
      this.#options.publishTimeoutMs ?? 1000,
      'SPUBLISH',
    );
  }

  async close(): Promise<void> {
    if (this.#listener) this.#cluster.off('smessageBuffer', this.#listener);
    if (this.#owns) this.#cluster.disconnect();
    else await this.#cluster.sunsubscribe(this.#channel).catch(() => undefined);
  }
}

/** Invalidation bus on one Redis node: `redisBus({ connection: 'redis://127.0.0.1:6379' })` or `redisBus({ client })`. */
export function redisBus(options: RedisBusOptions): RedisBus {
  return new RedisBus(options);
}

/** Invalidation bus on a Redis Cluster with sharded pub/sub: `redisClusterBus({ nodes: [{ host, port }] })`. */
export function redisClusterBus(options: RedisClusterBusOptions): RedisClusterBus {
  return new RedisClusterBus(options);
}

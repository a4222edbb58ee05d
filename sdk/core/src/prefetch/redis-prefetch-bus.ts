/** The prefetch loop over Redis pub/sub (omnicache/redis): one channel per direction and group, one publisher connection. */
import type { Redis as IoRedis } from 'ioredis';
import { createRedis, RedisBus } from '../invalidation/redis/redis-bus.js';
import type { RedisConnection } from '../tiers/redis/options.js';
import { defaultPrefetchTopic, PrefetchBus, type PrefetchChannel } from './prefetch-bus.js';

/** An existing client (the caller keeps and closes it; the transport duplicates it to subscribe) or connection options. */
export type RedisPrefetchBusOptions = {
  /** Channel names (default `omnicache.prefetch.access.<group>` and `omnicache.prefetch.hints.<group>`). */
  channels?: Partial<Record<PrefetchChannel, string>>;
  /** Budget for one PUBLISH in ms (default 1000). */
  publishTimeoutMs?: number;
} & ({ client: IoRedis } | { connection: RedisConnection });

/** Prefetch transport on Redis pub/sub, for deployments without Kafka: `redisPrefetchBus({ connection })`. */
export function redisPrefetchBus(options: RedisPrefetchBusOptions): PrefetchBus {
  const owns = !('client' in options);
  const client = 'client' in options ? options.client : createRedis(options.connection);
  if (owns) client.on('error', () => {});
  return new PrefetchBus(
    'redis',
    (channel, group, subscribe) =>
      new RedisBus({
        client,
        channel: options.channels?.[channel] ?? defaultPrefetchTopic(channel, group),
        subscribe,
        ...(options.publishTimeoutMs === undefined ? {} : { publishTimeoutMs: options.publishTimeoutMs }),
      }),
    () => {
      if (owns) client.disconnect();
    },
  );
}

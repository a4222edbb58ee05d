// How each library under test is configured, shared by the in-process measurements and the stampede workers.
import { createKeyv } from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { type Cache as CacheManager, createCache as createCacheManager } from 'cache-manager';
import type { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { type Cache, createCache } from 'omnicache';
import { RedisLock, redisTier } from 'omnicache/redis';

export interface Endpoint {
  host: string;
  port: number;
}

/** One TTL for every library (long enough that nothing expires during a run). */
export const TTL_MS = 10 * 60_000;

export interface OmniOptions {
  l1Capacity: number;
  /** true: brotli (q4) for payloads >= 8 KiB; the default codec does not compress. */
  compress?: boolean;
  /** An existing client (the caller closes it); else the tier opens and owns a connection. */
  client?: Redis;
  /** Cross-process stampede lock over `client` (RedisLock with its defaults: ttl 10 s, poll 25 ms). */
  lock?: boolean;
  /** true: values carry a CRC-32 (codec.checksum, off by default). */
  checksum?: boolean;
  /** redisTier tombstoneMs (default: the tier's, 60 s; 0 = no tombstones, no conditional write-backs). */
  tombstoneMs?: number;
}

export function omnicache(ep: Endpoint, name: string, o: OmniOptions): Cache {
  const t = o.tombstoneMs === undefined ? {} : { tombstoneMs: o.tombstoneMs };
  const l2 =
    o.client !== undefined
      ? redisTier({ client: o.client, ...t })
      : redisTier({ connection: { host: ep.host, port: ep.port }, ...t });
  return createCache({
    name,
    l1: { capacity: o.l1Capacity, policy: 'arc' },
    l2,
    defaults: { ttl: TTL_MS },
    codec: {
      ...(o.compress === true && { compressThreshold: 8192, compression: 'brotli' as const }),
      ...(o.checksum === true && { checksum: true }),
    },
    ...(o.lock === true && o.client !== undefined ? { lock: new RedisLock(o.client) } : {}),
  });
}

export interface BentoOptions {
  maxItems: number;
  /** Memory driver `serialize` (BentoCache's default is true: L1 keeps JSON strings and parses them on every hit). */
  serialize: boolean;
}

export type Bento = BentoCache<{ tiered: ReturnType<typeof bentostore> }>;

export function bentocache(ep: Endpoint, prefix: string, o: BentoOptions): Bento {
  return new BentoCache({
    default: 'tiered',
    prefix,
    ttl: TTL_MS,
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxItems: o.maxItems, serialize: o.serialize }))
        .useL2Layer(redisDriver({ connection: { host: ep.host, port: ep.port } })),
    },
  });
}

/** cache-manager 7 over Keyv: optionally an in-memory Keyv (Map) in front of Keyv Redis. */
export function cacheManager(ep: Endpoint, namespace: string, withMemory: boolean): CacheManager {
  const redis = createKeyv(`redis://${ep.host}:${ep.port}`, { namespace });
  return createCacheManager({ stores: withMemory ? [new Keyv(), redis] : [redis], ttl: TTL_MS });
}

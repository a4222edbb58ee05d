import type * as Zod from 'zod';
import { MAX_TIMER_MS } from '../resilience/timeout.js';
import type { Tier } from '../tiers/tier.js';
import { zod } from '../vendor/lazy-deps.js';

// This module is loaded by loadCacheConfig() only (dynamic import), so zod loads with it, not with omnicache.
const z = zod();

const redisCommon = {
  keyPrefix: z.string().optional(),
  commandTimeoutMs: z.number().positive().max(MAX_TIMER_MS).optional(),
  failFastWhenDisconnected: z.boolean().optional(),
  tombstoneMs: z.number().int().nonnegative().max(MAX_TIMER_MS).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
};

const hostPort = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict();

/** Tiers named in a configuration file, built through their subpath entry points by loadCacheConfig(). */
export const tierSpecs = {
  redis: z
    .object({
      url: z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      db: z.number().int().nonnegative().optional(),
      tls: z.boolean().optional(),
      ...redisCommon,
    })
    .strict(),
  redisCluster: z
    .object({
      nodes: z.array(hostPort).min(1, 'needs at least one seed node { host, port }'),
      tls: z.boolean().optional(),
      ...redisCommon,
    })
    .strict(),
  gcs: z
    .object({
      bucket: z.string().min(1),
      prefix: z.string().optional(),
      apiEndpoint: z.string().url().optional(),
      projectId: z.string().optional(),
      concurrency: z.number().int().positive().optional(),
      requestTimeoutMs: z.number().positive().max(MAX_TIMER_MS).optional(),
    })
    .strict(),
  fs: z
    .object({
      dir: z.string().min(1),
      maxBytes: z.number().int().positive().optional(),
      tombstoneMs: z.number().int().nonnegative().max(MAX_TIMER_MS).optional(),
    })
    .strict(),
};

export type TierSpecName = keyof typeof tierSpecs;
export type TierSpec = { [K in TierSpecName]: { [P in K]: Zod.output<(typeof tierSpecs)[K]> } }[TierSpecName];

/** Builds a named tier; vendor tiers load their subpath (and so their peer dependency) only here. */
export async function buildTier(spec: TierSpec): Promise<Tier> {
  if ('fs' in spec) {
    const { fsTier } = await import('../tiers/fs/index.js');
    const { dir, ...options } = spec.fs;
    return fsTier(dir, options);
  }
  if ('redis' in spec) {
    const { redisTier } = await import('../redis.js');
    const {
      url,
      host,
      port,
      db,
      tls,
      username,
      password,
      keyPrefix,
      commandTimeoutMs,
      failFastWhenDisconnected,
      tombstoneMs,
    } = spec.redis;
    return redisTier({
      connection: {
        ...(url !== undefined && { url }),
        ...(host !== undefined && { host }),
        ...(port !== undefined && { port }),
        ...(db !== undefined && { db }),
        ...(username !== undefined && { username }),
        ...(password !== undefined && { password }),
        ...(tls && { tls: {} }),
      },
      ...(keyPrefix !== undefined && { keyPrefix }),
      ...(commandTimeoutMs !== undefined && { commandTimeoutMs }),
      ...(failFastWhenDisconnected !== undefined && { failFastWhenDisconnected }),
      ...(tombstoneMs !== undefined && { tombstoneMs }),
    });
  }
  if ('redisCluster' in spec) {
    const { redisClusterTier } = await import('../redis.js');
    const {
      nodes,
      tls,
      username,
      password,
      keyPrefix,
      commandTimeoutMs,
      failFastWhenDisconnected,
      tombstoneMs,
    } = spec.redisCluster;
    return redisClusterTier({
      nodes,
      clusterOptions: {
        redisOptions: {
          ...(username !== undefined && { username }),
          ...(password !== undefined && { password }),
          ...(tls && { tls: {} }),
        },
      },
      ...(keyPrefix !== undefined && { keyPrefix }),
      ...(commandTimeoutMs !== undefined && { commandTimeoutMs }),
      ...(failFastWhenDisconnected !== undefined && { failFastWhenDisconnected }),
      ...(tombstoneMs !== undefined && { tombstoneMs }),
    });
  }
  const { gcsTier } = await import('../gcs.js');
  const { bucket, prefix, apiEndpoint, projectId, concurrency, requestTimeoutMs } = spec.gcs;
  return gcsTier({
    bucket,
    ...(prefix !== undefined && { prefix }),
    ...(concurrency !== undefined && { concurrency }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    storageOptions: {
      ...(apiEndpoint !== undefined && { apiEndpoint }),
      ...(projectId !== undefined && { projectId }),
    },
  });
}

import type * as Zod from 'zod';
import { configSchemas } from '../cache/config.js';
import { zod } from '../vendor/lazy-deps.js';
import { encryptionFileSchema } from './encryption-spec.js';
import { type TierSpecName, tierSpecs } from './tier-specs.js';

// Loaded by loadCacheConfig() and the reference doc only (dynamic import): zod loads with it, not with omnicache.
const z = zod();
const { cacheConfigSchema, circuitBreakerSchema } = configSchemas();

function namedTier<K extends TierSpecName>(name: K) {
  return z
    .object({
      [name]: tierSpecs[name],
      /** Budget per call to this tier; defaults.timeouts.tier when unset. */
      timeoutMs: z.number().positive().optional(),
      circuitBreaker: circuitBreakerSchema.optional(),
    } as { [P in K]: (typeof tierSpecs)[K] } & {
      timeoutMs: Zod.ZodOptional<Zod.ZodNumber>;
      circuitBreaker: Zod.ZodOptional<typeof circuitBreakerSchema>;
    })
    .strict();
}

/** A remote tier as a configuration file names it: exactly one of redis, redisCluster, gcs, fs. */
export const fileTierSchema = z.union([
  namedTier('redis'),
  namedTier('redisCluster'),
  namedTier('gcs'),
  namedTier('fs'),
]);

/**
 * The cache configuration as files and the environment give it: createCache's own schema (every field, default
 * and check is shared), with tiers named instead of constructed. A distributed lock and an access policy are
 * code-only.
 */
export const cacheFileConfigSchema = cacheConfigSchema.omit({ lock: true, access: true }).extend({
  l2: fileTierSchema.optional(),
  l3: fileTierSchema.optional(),
  encryption: encryptionFileSchema.optional(),
});

export type CacheFileConfig = Zod.input<typeof cacheFileConfigSchema>;

import type * as Zod from 'zod';
import { ConfigError } from '../errors.js';
import { type BusOption, busOptionSchema } from '../invalidation/options.js';
import { type PrefetchOption, prefetchOptionSchema } from '../prefetch/options.js';
import type { DistributedLock } from '../resilience/distributed-lock.js';
import { MAX_TIMER_MS } from '../resilience/timeout.js';
import { AccessPolicy } from '../security/access/access-policy.js';
import type { AuditLog } from '../security/audit/audit-log.js';
import type { EncryptionOptions } from '../security/encryption/encryptor.js';
import type { PiiRedactor } from '../security/pii/redactor.js';
import { VALUE_POLICY_MODES, type ValuePolicyMode } from '../security/value-policy.js';
import type { Tier } from '../tiers/tier.js';
import { zod } from '../vendor/lazy-deps.js';

const TIER_METHODS = [
  'get',
  'getMany',
  'set',
  'setMany',
  'delete',
  'deleteMany',
  'deleteByTag',
  'clear',
  'close',
] as const;

/** The schemas, built on first use so that importing omnicache does not load zod (see vendor/lazy-deps.ts). */
function buildSchemas(z: typeof Zod.z) {
  const tierInstance = z.custom<Tier>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { kind?: unknown }).kind === 'string' &&
      TIER_METHODS.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    {
      message:
        'must be a Tier (redisTier(...), redisClusterTier(...), gcsTier(...), fsTier(...) or an object implementing Tier)',
    },
  );

  const lockInstance = z.custom<DistributedLock>(
    (v) =>
      typeof v === 'object' && v !== null && typeof (v as { tryAcquire?: unknown }).tryAcquire === 'function',
    { message: 'must be a DistributedLock (for example new RedisLock(client))' },
  );

  // security: instances checked by shape (the classes live in security/; a config file cannot build them anyway)
  const auditInstance = z.custom<AuditLog>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { append?: unknown }).append === 'function',
    { message: 'must be an AuditLog (await openAuditLog({ sinks: [jsonlAuditSink({ path })] }))' },
  );
  const redactorInstance = z.custom<PiiRedactor>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { redactValue?: unknown }).redactValue === 'function',
    { message: 'must be a PiiRedactor (createPiiRedactor({ key }))' },
  );
  /** Modes are checked by ValuePolicy (its message explains 'encrypt'). */
  const valuePolicyMode = z.custom<ValuePolicyMode>((v) => typeof v === 'string', {
    message: `must be one of ${VALUE_POLICY_MODES.join(', ')}`,
  });

  const ms = z.number().finite().nonnegative();
  const positiveMs = z.number().positive();
  const TIMER_LIMIT = `must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node supports)`;
  /** Durations that become a Node timer: a longer one would fire after 1 ms. */
  const timerMs = ms.max(MAX_TIMER_MS, TIMER_LIMIT);
  const positiveTimerMs = positiveMs.max(MAX_TIMER_MS, TIMER_LIMIT);

  const circuitBreakerSchema = z
    .object({
      failureThreshold: z.number().int().positive().default(5),
      windowMs: positiveMs.default(10_000),
      openMs: positiveMs.default(5_000),
      halfOpenSuccesses: z.number().int().positive().default(1),
    })
    .strict();

  const remoteTierSchema = z.union([
    tierInstance.transform((tier) => ({ tier, timeoutMs: undefined, circuitBreaker: undefined })),
    z
      .object({
        tier: tierInstance,
        /** Budget per call to this tier; defaults.timeouts.tier when unset. */
        timeoutMs: positiveTimerMs.optional(),
        circuitBreaker: circuitBreakerSchema.optional(),
      })
      .strict(),
  ]);

  const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

  const cacheConfigSchema = z
    .object({
      name: z.string().regex(NAME, 'must be 1-64 characters from A-Z a-z 0-9 _ . -'),
      l1: z
        .object({
          capacity: z.number().int().positive(),
          maxBytes: z.number().int().positive().optional(),
          policy: z.enum(['arc', 'lru']).default('arc'),
          demoteOnEvict: z.boolean().default(false),
        })
        .strict(),
      l2: remoteTierSchema.optional(),
      l3: remoteTierSchema.optional(),
      defaults: z
        .object({
          ttl: positiveMs.default(60_000),
          grace: ms.default(0),
          staleWhileRevalidate: ms.default(0),
          graceBackoff: ms.default(5_000),
          jitter: z.number().min(0).max(1).default(0),
          sliding: z.boolean().default(false),
          timeouts: z
            .object({
              soft: timerMs.default(0),
              hard: timerMs.default(0),
              tier: positiveTimerMs.default(1_000),
            })
            .strict()
            .prefault({}),
        })
        .strict()
        .prefault({}),
      maxKeyLength: z.number().int().positive().default(1024),
      maxValueBytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 * 1024),
      circuitBreaker: circuitBreakerSchema.prefault({}),
      lock: z
        .union([
          lockInstance.transform((lock) => ({ lock, ttlMs: 10_000, pollMs: 25, enabled: true })),
          z
            .object({
              lock: lockInstance,
              ttlMs: positiveMs.default(10_000),
              pollMs: positiveMs.default(25),
              enabled: z.boolean().default(true),
            })
            .strict(),
        ])
        .optional(),
      security: z
        .object({
          audit: auditInstance.optional(),
          redactor: redactorInstance.optional(),
          values: z
            .object({
              default: valuePolicyMode.optional(),
              namespaces: z.record(z.string(), valuePolicyMode).optional(),
            })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
      /** Invalidation across instances: a Bus (redisBus, kafkaBus, ...) or { bus, ...options }. */
      bus: z
        .custom<BusOption>((v) => busOptionSchema().safeParse(v).success, {
          message:
            'must be a Bus (redisBus(...), redisClusterBus(...), kafkaBus(...)) or { bus, heartbeatMs?, maxQueue?, ... } with valid options',
        })
        .optional(),
      /** Learned prefetch: the sampled access stream out, hints in (prefetch/). Off when absent. */
      prefetch: z
        .custom<PrefetchOption>((v) => prefetchOptionSchema().safeParse(v).success, {
          message:
            'must be { bus: kafkaPrefetchBus(...) | redisPrefetchBus(...), hashKey?, sample?, maxPerSecond?, wasteBudget?, ... } with valid options',
        })
        .optional(),
      codec: z
        .object({
          compressThreshold: z.union([z.number().int().nonnegative(), z.literal(false)]).default(false),
          compression: z.enum(['brotli', 'deflate', 'none']).default('brotli'),
          /** CRC-32 in every unencrypted stored value (codec/checksum.ts); off by default: see bench/results/tiered.md. */
          checksum: z.boolean().default(false),
        })
        .strict()
        .prefault({}),
      /** Envelope encryption of the values that leave the process (security/encryption): all, or scope 'policy'. */
      encryption: z
        .custom<EncryptionOptions>(
          (v) =>
            typeof v === 'object' &&
            v !== null &&
            typeof (v as { provider?: { generateDataKey?: unknown } }).provider?.generateDataKey ===
              'function',
          { message: 'must be { provider: KeyProvider, ... } (localKeyRing(...) or awsKmsKeyProvider(...))' },
        )
        .optional(),
      /** Access policy (security/access): default deny once set. */
      access: z
        .custom<AccessPolicy>((v) => v instanceof AccessPolicy, {
          message: 'must be an AccessPolicy (accessPolicy({ rules: [...] }))',
        })
        .optional(),
    })
    .strict();
  return { cacheConfigSchema, circuitBreakerSchema };
}

let schemas: ReturnType<typeof buildSchemas> | undefined;

/** createCache's configuration schema (and its parts that the file schema reuses). */
export function configSchemas(): ReturnType<typeof buildSchemas> {
  schemas ??= buildSchemas(zod());
  return schemas;
}

type CacheConfigSchema = ReturnType<typeof buildSchemas>['cacheConfigSchema'];
export type CacheConfig = Zod.input<CacheConfigSchema>;
export type ResolvedCacheConfig = Zod.output<CacheConfigSchema>;
export type ResolvedDefaults = ResolvedCacheConfig['defaults'];

/** Validates a cache config; a malformed field becomes a ConfigError that names the field and says what is expected. */
export function parseCacheConfig(config: unknown): ResolvedCacheConfig {
  const r = configSchemas().cacheConfigSchema.safeParse(config);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.map(String).join('.') : '(config)';
    return `${path}: ${i.message}`;
  });
  throw new ConfigError(`invalid cache config: ${lines.join('; ')}`, { cause: r.error });
}

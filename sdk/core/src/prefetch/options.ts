import type * as Zod from 'zod';
import { zod } from '../vendor/lazy-deps.js';
import { PrefetchBus } from './prefetch-bus.js';

/** The `prefetch` option's schema, built on first use so that importing omnicache does not load zod. */
function buildSchema(z: typeof Zod.z) {
  return z
    .object({
      /** Transport: kafkaPrefetchBus(...) (omnicache/kafka) or redisPrefetchBus(...) (omnicache/redis). */
      bus: z.custom<PrefetchBus>((v) => v instanceof PrefetchBus, {
        message:
          'must be a PrefetchBus: kafkaPrefetchBus(...) from omnicache/kafka or redisPrefetchBus(...) from omnicache/redis',
      }),
      /** Caches sharing a group feed one model and receive its hints (default: the cache name). */
      group: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters from A-Z a-z 0-9 _ . -')
        .optional(),
      /**
       * Secret of the key HMAC (at least 16 bytes). Give every instance of a group the same one, so they share what
       * the model learns; without it each process uses a random secret of its own.
       */
      hashKey: z
        .union([z.string().min(16), z.instanceof(Uint8Array).refine((b) => b.length >= 16)], {
          message: 'must be a string or bytes of at least 16 characters/bytes',
        })
        .optional(),
      /** The access stream. */
      sample: z
        .object({
          /**
           * Fraction of time windows sampled (0..1). Whole windows are sampled, not single requests, so the stream
           * keeps the order of consecutive requests the models learn from.
           */
          rate: z.number().min(0).max(1).default(1),
          windowMs: z.number().int().positive().default(1_000),
          /** Most samples per second (beyond: dropped and counted). */
          maxPerSecond: z.number().positive().default(2_000),
          /** Samples are sent in batches at least this often (ms). */
          flushMs: z.number().int().positive().default(100),
        })
        .strict()
        .prefault({}),
      /** Most prefetch loads started per second (before backoff). */
      maxPerSecond: z.number().positive().default(200),
      /** Most prefetch loads running at once. */
      maxConcurrent: z.number().int().positive().default(16),
      /** Hints below this confidence are ignored (0..1). */
      minConfidence: z.number().min(0).max(1).default(0.3),
      /** Most prefetched entries waiting for their first read (default: 25 % of the l1 capacity, at least 4). */
      maxOutstanding: z.number().int().positive().optional(),
      /** A prefetched entry not read within this time, or by its hint's deadline if sooner, counts as wasted (ms). */
      usedWithinMs: z.number().int().positive().default(30_000),
      /**
       * Wasted fraction (wasted / (used + wasted), over recent prefetches of one registered loader pattern) above
       * which the executor backs off for that pattern: halves its rate and raises its confidence bar, step by step;
       * it recovers below the budget.
       */
      wasteBudget: z.number().min(0).max(1).default(0.5),
      /** Hash -> key entries kept to resolve hints (bounded, least recently sampled dropped first). */
      dictionarySize: z.number().int().positive().default(100_000),
      /** A prefetch load taking longer than this is abandoned (ms). */
      loadTimeoutMs: z.number().int().positive().default(5_000),
    })
    .strict();
}

let built: ReturnType<typeof buildSchema> | undefined;

export function prefetchOptionSchema(): ReturnType<typeof buildSchema> {
  built ??= buildSchema(zod());
  return built;
}

export type PrefetchOption = Zod.input<ReturnType<typeof buildSchema>>;
export type ResolvedPrefetchOptions = Zod.output<ReturnType<typeof buildSchema>>;

/**
 * The prefetch bus messages, version 1 (zod, built on first use like invalidation/messages.ts):
 * - `access`: a batch of sampled demand accesses, cache -> anomaly service (key as a keyed HMAC, never raw);
 * - `hints`: a batch of prefetch hints, anomaly service -> caches (the same HMAC, a confidence, a deadline).
 * A message that does not parse is rejected and counted, never acted on.
 */
import type * as Zod from 'zod';
import { type PayloadResult, parsePayload } from '../invalidation/payload.js';
import { zod } from '../vendor/lazy-deps.js';

export const PREFETCH_MESSAGE_VERSION = 1;
/** Largest encoded message accepted (bytes); larger ones are rejected before parsing. */
export const MAX_PREFETCH_MESSAGE_BYTES = 1024 * 1024;
/** Most samples or hints one message carries (publishers split larger batches). */
export const MAX_BATCH = 2000;
/** Length of a key hash: HMAC-SHA-256 truncated to 128 bits, base64url without padding. */
export const KEY_HASH_LENGTH = 22;

/** Where a sampled demand access was answered: a tier, the loader (a miss that loaded), or nowhere. */
export const ACCESS_TIERS = ['l1', 'l2', 'l3', 'loader', 'miss'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

function buildSchemas(z: typeof Zod.z) {
  const group = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
  const origin = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
  const namespace = z.string().max(512);
  const keyHash = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
  const time = z.number().int().nonnegative();

  const sample = z
    .object({
      /** Namespace path of the view that read ('' at the root). */
      ns: namespace,
      /** HMAC of the key (keyed with the group's secret; see prefetch/key-hash.ts). */
      k: keyHash,
      /** When the access started (ms since the epoch). */
      t: time,
      /** Where it was answered. */
      tier: z.enum(ACCESS_TIERS),
      /** What the access cost the caller beyond an L1 hit (ms; 0 for L1 hits). */
      cost: z.number().nonnegative().max(3_600_000),
      /** HMAC of the prefetch session (withPrefetchSession), when the access ran in one. */
      s: keyHash.optional(),
    })
    .strict();

  const accessMessage = z
    .object({
      v: z.literal(PREFETCH_MESSAGE_VERSION),
      kind: z.literal('access'),
      group,
      origin,
      samples: z.array(sample).min(1).max(MAX_BATCH),
    })
    .strict();

  const hint = z
    .object({
      ns: namespace,
      k: keyHash,
      /** The model's estimate that the key is requested before the deadline (0..1). */
      confidence: z.number().min(0).max(1),
      /** After this (ms since the epoch) the hint is worthless: not acted on. */
      deadline: time,
    })
    .strict();

  const hintsMessage = z
    .object({
      v: z.literal(PREFETCH_MESSAGE_VERSION),
      kind: z.literal('hints'),
      group,
      origin,
      /** Model that produced the hints (for logs and metrics on the service side). */
      model: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
      /**
       * The cache instance (access message origin) whose stream the hints were predicted from; absent: for every
       * instance of the group. Other instances ignore the message.
       */
      for: origin.optional(),
      /** Time of the newest access the model had seen when it predicted (the loop's delay is measured from it). */
      observedAt: time,
      hints: z.array(hint).min(1).max(MAX_BATCH),
    })
    .strict();

  const prefetchMessage = z.discriminatedUnion('kind', [accessMessage, hintsMessage]);
  return { prefetchMessage, accessMessage, hintsMessage, sample, hint };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = (): ReturnType<typeof buildSchemas> => {
  built ??= buildSchemas(zod());
  return built;
};

type Schemas = ReturnType<typeof buildSchemas>;
export type PrefetchMessage = Zod.infer<Schemas['prefetchMessage']>;
export type AccessMessage = Zod.infer<Schemas['accessMessage']>;
export type HintsMessage = Zod.infer<Schemas['hintsMessage']>;
export type AccessSample = Zod.infer<Schemas['sample']>;
export type PrefetchHint = Zod.infer<Schemas['hint']>;

export function encodePrefetchMessage(message: PrefetchMessage): string {
  return JSON.stringify(message);
}

export type PrefetchDecodeResult = PayloadResult<PrefetchMessage>;

/** Parses and validates one message; never throws. */
export function decodePrefetchMessage(payload: string | Uint8Array): PrefetchDecodeResult {
  return parsePayload(payload, MAX_PREFETCH_MESSAGE_BYTES, schemas().prefetchMessage);
}

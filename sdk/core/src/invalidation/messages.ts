/**
 * The invalidation bus message, version 1: one schema (zod) for every transport (Redis pub/sub, Kafka) and for
 * what the webhook receiver turns into messages. A message that does not parse is rejected and counted, never
 * applied. Targets are fully qualified the way the tiers see them (cache name + namespace + key / tag / prefix).
 */
import type * as Zod from 'zod';
import { zod } from '../vendor/lazy-deps.js';
import { type PayloadResult, parsePayload } from './payload.js';

export const MESSAGE_VERSION = 1;
/** Largest encoded message accepted (bytes); larger ones are rejected before parsing. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Most targets one message may carry (a dependency cascade is split into several messages beyond this). */
export const MAX_TARGETS = 1000;

/** Why an invalidation happened; also the `cause` attribute of the invalidations metric. */
export const INVALIDATION_CAUSES = [
  'invalidate',
  'delete',
  'tag',
  'clear',
  'set',
  'dependency',
  /** eraseSubject: the target is the subject's tag; receivers drop its values from L1 and audit it. */
  'erasure',
] as const;
export type InvalidationCause = (typeof INVALIDATION_CAUSES)[number];

/** The schemas, built on first use so that importing omnicache does not load zod (see vendor/lazy-deps.ts). */
function buildSchemas(z: typeof Zod.z) {
  const hlc = z
    .object({ wall: z.number().int().nonnegative(), logical: z.number().int().nonnegative() })
    .strict();
  const origin = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
  const group = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
  const target = z.string().min(1).max(4096);
  const trace = z
    .object({
      traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
      tracestate: z.string().max(512).optional(),
    })
    .strict();

  const invalidateMessage = z
    .object({
      v: z.literal(MESSAGE_VERSION),
      kind: z.literal('invalidate'),
      group,
      origin,
      /** Per-origin sequence number, 1, 2, 3, ... with no holes (a hole is a lost message). */
      seq: z.number().int().positive(),
      hlc,
      /** keys: remove these keys; tag: every key with this qualified tag; prefix: every key under this prefix. */
      op: z.enum(['keys', 'tag', 'prefix']),
      targets: z.array(target).min(1).max(MAX_TARGETS),
      cause: z.enum(INVALIDATION_CAUSES),
      /** Where the invalidation entered the system: an API call on the origin, or a webhook it received. */
      source: z.enum(['local', 'webhook']),
      trace: trace.optional(),
    })
    .strict();

  /** Sent periodically so receivers notice lost messages even when the origin publishes nothing else. */
  const heartbeatMessage = z
    .object({
      v: z.literal(MESSAGE_VERSION),
      kind: z.literal('heartbeat'),
      group,
      origin,
      /** The last sequence number the origin used (0: none yet). */
      seq: z.number().int().nonnegative(),
      hlc,
    })
    .strict();

  const busMessageSchema = z.discriminatedUnion('kind', [invalidateMessage, heartbeatMessage]);
  return { busMessageSchema, invalidateMessage, heartbeatMessage };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = (): ReturnType<typeof buildSchemas> => {
  built ??= buildSchemas(zod());
  return built;
};

type Schemas = ReturnType<typeof buildSchemas>;
export type BusMessage = Zod.infer<Schemas['busMessageSchema']>;
export type InvalidateMessage = Zod.infer<Schemas['invalidateMessage']>;
export type HeartbeatMessage = Zod.infer<Schemas['heartbeatMessage']>;

export function encodeMessage(message: BusMessage): string {
  return JSON.stringify(message);
}

export type DecodeResult = PayloadResult<BusMessage>;

/** Parses and validates one message; never throws. */
export function decodeMessage(payload: string | Uint8Array): DecodeResult {
  return parsePayload(payload, MAX_MESSAGE_BYTES, schemas().busMessageSchema);
}

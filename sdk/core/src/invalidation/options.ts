import type * as Zod from 'zod';
import { zod } from '../vendor/lazy-deps.js';
import type { Bus } from './bus.js';

/** The schemas, built on first use so that importing omnicache does not load zod (see vendor/lazy-deps.ts). */
function buildSchemas(z: typeof Zod.z) {
  const busInstance = z.custom<Bus>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { kind?: unknown }).kind === 'string' &&
      typeof (v as { ordered?: unknown }).ordered === 'boolean' &&
      ['start', 'publish', 'close'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    {
      message:
        'must be a Bus (redisBus(...), redisClusterBus(...), kafkaBus(...) or an object implementing Bus)',
    },
  );

  const busObject = z
    .object({
      /** Omitted: invalidate() and dependencies work in this instance only. */
      bus: busInstance.optional(),
      /** Instances sharing a group see each other's invalidations (default: the cache name). */
      group: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters from A-Z a-z 0-9 _ . -')
        .optional(),
      /** How often an idle instance announces its last sequence number, so receivers notice lost messages (ms). */
      heartbeatMs: z.number().int().positive().default(1_000),
      /** How long a missing message may be late before it counts as lost (ms; default 0 on ordered buses, 5000 otherwise). */
      reorderWindowMs: z.number().int().nonnegative().optional(),
      /** Messages kept while the bus is down; beyond this the oldest are dropped (and counted). */
      maxQueue: z.number().int().positive().default(10_000),
      /** Retry backoff while the bus is down (ms). */
      retryMinMs: z.number().int().positive().default(50),
      retryMaxMs: z.number().int().positive().default(5_000),
      /** Publish an invalidation of the key on set()/setMany() so other instances drop their L1 copy (default true). */
      publishOnSet: z.boolean().default(true),
      /** Most keys one invalidation may remove through dependencies. */
      maxCascade: z.number().int().positive().default(10_000),
      /** Dependency edges kept in memory (they are also kept in L2 when there is one). */
      maxEdges: z.number().int().positive().default(100_000),
    })
    .strict();

  const busOptionSchema = z.union([busInstance.transform((bus) => busObject.parse({ bus })), busObject]);
  return { busOptionSchema, busObject };
}

let built: ReturnType<typeof buildSchemas> | undefined;

/** The `bus` option's schema (a Bus, or { bus, ...options }). */
export function busOptionSchema(): ReturnType<typeof buildSchemas>['busOptionSchema'] {
  built ??= buildSchemas(zod());
  return built.busOptionSchema;
}

export type BusOption = Zod.input<ReturnType<typeof buildSchemas>['busOptionSchema']>;
export type ResolvedBusOptions = Zod.output<ReturnType<typeof buildSchemas>['busObject']>;

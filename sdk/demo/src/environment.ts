/**
 * The demo's own environment variables: what the core's configuration (loadCacheConfig, OMNICACHE_<PATH>) does not
 * cover, because a bus, prefetch and telemetry are code there. The tiers come from the core's variables
 * (OMNICACHE_L2_*, OMNICACHE_L3_*, OMNICACHE_CONFIG); this file adds the invalidation bus, learned prefetch for the
 * shop cache and OTLP export, checked with zod. Unset and empty variables mean "off".
 */
import { z } from 'zod';

/** Every variable read here (docs/demo.md documents each; sdk/demo/test/environment.test.ts keeps the two in step). */
export const DEMO_VARIABLES = [
  'OMNICACHE_BUS_KAFKA_BROKERS',
  'OMNICACHE_BUS_REDIS_URL',
  'OMNICACHE_PREFETCH',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_SERVICE_NAME',
] as const;

export type DemoBusSetting = { transport: 'kafka'; brokers: string[] } | { transport: 'redis'; url: string };

export interface DemoEnvironment {
  /** The invalidation bus of the demo's caches; undefined: invalidations stay in this process. */
  bus: DemoBusSetting | undefined;
  /**
   * Learned prefetch for the shop cache ("demo-shop"): its access stream goes to, and hints come from, the anomaly
   * service's prefetch daemon over the Kafka of OMNICACHE_BUS_KAFKA_BROKERS. false: off.
   */
  prefetch: boolean;
  /** OTLP export; undefined: /metrics only. */
  otlp: { endpoint: string; exportIntervalMs: number | undefined } | undefined;
  serviceName: string;
}

/** A variable that is set but wrong; the message names every such variable and what it should be. */
export class DemoEnvironmentError extends Error {
  override readonly name = 'DemoEnvironmentError';
}

const BROKER = /^[^\s:,]+:\d{1,5}$/;

const schema = z
  .object({
    OMNICACHE_BUS_KAFKA_BROKERS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((b) => b.trim())
          .filter((b) => b.length > 0),
      )
      .refine((list) => list.length > 0 && list.every((b) => BROKER.test(b)), {
        message: 'must be a comma-separated list of host:port, e.g. 127.0.0.1:9092',
      })
      .optional(),
    OMNICACHE_BUS_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
      .optional(),
    OMNICACHE_PREFETCH: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4318' })
      .optional(),
    OTEL_METRIC_EXPORT_INTERVAL: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .positive('must be a positive number of milliseconds')
      .optional(),
    OTEL_SERVICE_NAME: z.string().optional(),
  })
  .refine((e) => e.OMNICACHE_BUS_KAFKA_BROKERS === undefined || e.OMNICACHE_BUS_REDIS_URL === undefined, {
    message: 'set OMNICACHE_BUS_KAFKA_BROKERS or OMNICACHE_BUS_REDIS_URL, not both (one bus per cache)',
  })
  .refine((e) => e.OMNICACHE_PREFETCH !== 'on' || e.OMNICACHE_BUS_KAFKA_BROKERS !== undefined, {
    message:
      "OMNICACHE_PREFETCH=on needs OMNICACHE_BUS_KAFKA_BROKERS: the shop cache's access stream and the prefetch daemon's hints go over Kafka",
  });

/** Reads and checks the demo's variables; throws DemoEnvironmentError listing every bad one. */
export function readDemoEnvironment(env: Record<string, string | undefined> = process.env): DemoEnvironment {
  const present: Record<string, string> = {};
  for (const name of DEMO_VARIABLES) {
    const v = env[name]?.trim();
    if (v) present[name] = v;
  }
  const r = schema.safeParse(present);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const name = i.path.map(String).join('.');
      return name ? `${name}=${JSON.stringify(present[name])}: ${i.message}` : i.message;
    });
    throw new DemoEnvironmentError(`invalid demo environment: ${lines.join('; ')}`);
  }
  const e = r.data;
  const bus: DemoBusSetting | undefined = e.OMNICACHE_BUS_KAFKA_BROKERS
    ? { transport: 'kafka', brokers: e.OMNICACHE_BUS_KAFKA_BROKERS }
    : e.OMNICACHE_BUS_REDIS_URL
      ? { transport: 'redis', url: e.OMNICACHE_BUS_REDIS_URL }
      : undefined;
  return {
    bus,
    prefetch: e.OMNICACHE_PREFETCH === 'on',
    otlp: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, exportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL }
      : undefined,
    serviceName: e.OTEL_SERVICE_NAME ?? 'omnicache-demo',
  };
}

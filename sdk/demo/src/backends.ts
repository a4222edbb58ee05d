/**
 * What the demo runs on. Without variables: L1 ARC and the embedded local-directory L3, no servers. With them:
 * the core's configuration (loadCacheConfig: OMNICACHE_CONFIG, OMNICACHE_L2_REDIS_URL, OMNICACHE_L3_GCS_BUCKET, ...)
 * for the tiers, and the demo's own variables (environment.ts) for the invalidation bus and OTLP export. Every
 * remote tier is tried once (a write and a delete) before the workload starts, so a wrong address or a missing
 * bucket stops the demo with a message instead of a run of tier errors.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type Bus,
  type Cache,
  type CacheConfig,
  createCache,
  fsTier,
  loadCacheConfig,
  type Tier,
  withTimeout,
} from 'omnicache';
import { type DemoEnvironment, DemoEnvironmentError, readDemoEnvironment } from './environment.js';

export interface DemoBackends {
  /** Configuration of the workload cache ("demo"). */
  readonly config: CacheConfig;
  readonly environment: DemoEnvironment;
  /** A new bus for one cache (each cache needs its own); undefined when no bus is configured. */
  newBus(): Promise<Bus> | undefined;
  /** One line per backend, for the start banner. */
  readonly description: readonly string[];
}

/** The workload cache when no configuration file is given (the environment can still override each field). */
const DEMO_DEFAULTS = {
  name: 'demo',
  l1: { capacity: 1000, policy: 'arc' },
  defaults: { ttl: 5 * 60_000 },
};
/** Bounded: the workload runs until Ctrl-C and its scan phases write an entry per new key. */
const EMBEDDED_L3_MAX_BYTES = 64 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 10_000;
const BUS_READY_TIMEOUT_MS = 30_000;

type RemoteTierOption = NonNullable<CacheConfig['l2']>;
const tierOf = (t: RemoteTierOption | undefined): Tier | undefined =>
  t === undefined ? undefined : 'tier' in t ? t.tier : t;

/** A URL's password replaced by ***; other text unchanged. */
function redact(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN/.test(name)) return '***';
  return value.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** The variables that configured one tier, e.g. OMNICACHE_L2_REDIS_URL=redis://127.0.0.1:6379. */
function variablesOf(prefix: string, env: Record<string, string | undefined>): string {
  return Object.entries(env)
    .filter(([k, v]) => k.startsWith(prefix) && v !== undefined && v !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${redact(k, v!)}`)
    .join(' ');
}

async function probe(level: 'L2' | 'L3', tier: Tier): Promise<void> {
  const key = `omnicache-demo-probe:${randomUUID()}`;
  const writeAndDelete = async () => {
    await tier.set(key, new Uint8Array([1]), { ttlMs: 60_000 });
    await tier.delete(key);
  };
  try {
    await withTimeout(writeAndDelete(), PROBE_TIMEOUT_MS, `a test write to ${level}`);
  } catch (error) {
    const hint =
      tier.kind === 'gcs'
        ? 'create the bucket first (fake-gcs-server: docs/demo.md shows how)'
        : `is a server running at the address in OMNICACHE_${level}_*?`;
    throw new DemoEnvironmentError(
      `${level} (${tier.kind}) did not accept a test write: ${(error as Error).message}; ${hint}`,
    );
  }
}

/** Reads the environment (and OMNICACHE_CONFIG), builds the tiers and checks that the remote ones answer. */
export async function loadDemoBackends(
  dir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<DemoBackends> {
  const environment = readDemoEnvironment(env);
  const file = env.OMNICACHE_CONFIG?.trim() || undefined;
  // A configuration file is taken as it is (it names the cache); without one the demo's defaults apply.
  const loaded = await loadCacheConfig({ env, ...(file ? {} : { defaults: DEMO_DEFAULTS }) });
  const l2 = tierOf(loaded.l2);
  const l3 = tierOf(loaded.l3);
  const closeAll = () => Promise.allSettled([l2?.close(), l3?.close()]);
  try {
    await Promise.all([l2 && probe('L2', l2), l3 && probe('L3', l3)]);
  } catch (error) {
    await closeAll();
    throw error;
  }
  const embeddedDir = join(dir, 'l3');
  const config: CacheConfig = {
    ...loaded,
    l3: loaded.l3 ?? fsTier(embeddedDir, { maxBytes: EMBEDDED_L3_MAX_BYTES }),
  };

  const from = (level: 'L2' | 'L3') => {
    const vars = variablesOf(`OMNICACHE_${level}_`, env);
    return [file && `OMNICACHE_CONFIG=${file}`, vars].filter(Boolean).join(' ');
  };
  const l1 = config.l1;
  const { bus, otlp } = environment;
  const row = (what: string, kind: string, detail: string) => `${what.padEnd(5)} ${kind.padEnd(6)} ${detail}`;
  const description = [
    row('L1', (l1.policy ?? 'arc').toUpperCase(), `in process, capacity ${l1.capacity}`),
    l2
      ? row('L2', l2.kind, from('L2'))
      : row('L2', 'none', '(OMNICACHE_L2_REDIS_URL, OMNICACHE_L2_REDIS_CLUSTER_NODES, ... to add one)'),
    l3
      ? row('L3', l3.kind, from('L3'))
      : row('L3', 'fs', `${embeddedDir} (embedded default; OMNICACHE_L3_GCS_BUCKET, ... to change)`),
    bus === undefined
      ? row('bus', 'none', '(OMNICACHE_BUS_KAFKA_BROKERS or OMNICACHE_BUS_REDIS_URL to add one)')
      : bus.transport === 'kafka'
        ? row('bus', 'kafka', `OMNICACHE_BUS_KAFKA_BROKERS=${bus.brokers.join(',')}`)
        : row('bus', 'redis', `OMNICACHE_BUS_REDIS_URL=${redact('', bus.url)}`),
    otlp === undefined
      ? row('OTLP', 'off', '(OTEL_EXPORTER_OTLP_ENDPOINT to export to a collector)')
      : row(
          'OTLP',
          'http',
          `OTEL_EXPORTER_OTLP_ENDPOINT=${otlp.endpoint}, every ${(otlp.exportIntervalMs ?? 10_000) / 1000} s, service.name ${environment.serviceName}`,
        ),
  ];

  return {
    config,
    environment,
    description,
    newBus() {
      if (bus === undefined) return undefined;
      if (bus.transport === 'kafka')
        return import('omnicache/kafka').then(({ kafkaBus }) => kafkaBus({ brokers: bus.brokers }));
      return import('omnicache/redis').then(({ redisBus }) => redisBus({ connection: bus.url }));
    },
  };
}

/** The workload cache, its bus (if any) subscribed before the workload starts, so that no invalidation is missed. */
export async function createDemoCache(backends: DemoBackends): Promise<Cache> {
  const bus = await backends.newBus();
  const cache = createCache({ ...backends.config, ...(bus && { bus }) });
  if (cache.bus === undefined) return cache;
  try {
    await withTimeout(cache.bus.ready, BUS_READY_TIMEOUT_MS, 'subscribing to the invalidation bus');
  } catch (error) {
    await cache.close();
    const variable =
      backends.environment.bus?.transport === 'kafka'
        ? 'OMNICACHE_BUS_KAFKA_BROKERS'
        : 'OMNICACHE_BUS_REDIS_URL';
    throw new DemoEnvironmentError(
      `the invalidation bus (${cache.bus.transport}) did not start: ${(error as Error).message}; is the server at ${variable} running?`,
    );
  }
  return cache;
}

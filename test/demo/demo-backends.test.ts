import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Storage } from '@google-cloud/storage';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { type Cache, createCache } from 'omnicache';
import { METRICS, prometheusName } from 'omnicache/conventions';
import { kafkaBus } from 'omnicache/kafka';
import { redisTier } from 'omnicache/redis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { pathTag } from '../../sdk/core/src/integrations/http/request-key.js';
import { loadDemoBackends } from '../../sdk/demo/src/backends.js';
import {
  type CollectorHandle,
  freePort,
  type KafkaHandle,
  minimalCollectorConfig,
  startCollector,
  startKafka,
} from '../services/index.js';
import { repoRoot } from '../services/paths.js';

// `npm run demo` with every backend the environment can name, all started by the harness: Redis under L1
// (OMNICACHE_L2_REDIS_URL), fake-gcs-server as L3 (OMNICACHE_L3_GCS_*), the invalidation bus on Kafka
// (OMNICACHE_BUS_KAFKA_BROKERS) and OTLP export to the collector (OTEL_EXPORTER_OTLP_ENDPOINT). The data must
// really land there: entries in Redis and in the bucket, invalidation messages on the Kafka topics, applied by a
// second instance in this process (and the other way round), and the demo's metrics on the collector's
// Prometheus exporter.
const demoMain = join(repoRoot, 'sdk', 'demo', 'dist', 'main.js');
const redis = inject('redis');
const gcs = inject('gcs');
const run = randomBytes(4).toString('hex');
const keyPrefix = `demo-env-${run}:`;
const bucket = `omnicache-demo-${run}`;

let kafka: KafkaHandle | undefined;
let collector: CollectorHandle | undefined;
let collectorMetrics = '';
let otlpEndpoint = '';
let demo: ChildProcess | undefined;
const caches: Cache[] = [];
const redisClient = new Redis(redis.url, { lazyConnect: true });

beforeAll(async () => {
  const ports = {
    otlpGrpc: await freePort(),
    otlpHttp: await freePort(),
    prometheus: await freePort(),
    health: await freePort(),
  };
  collectorMetrics = `http://127.0.0.1:${ports.prometheus}/metrics`;
  [kafka, collector] = await Promise.all([
    startKafka(),
    startCollector({
      config: minimalCollectorConfig(ports),
      healthCheckUrl: `http://127.0.0.1:${ports.health}/`,
    }),
    new Storage({ ...gcs, retryOptions: { autoRetry: false } }).createBucket(bucket),
  ]);
  otlpEndpoint = `http://127.0.0.1:${ports.otlpHttp}`;
});

afterAll(async () => {
  if (demo?.exitCode === null) demo.kill('SIGKILL');
  await Promise.allSettled(caches.map((c) => c.close()));
  redisClient.disconnect();
  await Promise.allSettled([kafka?.stop(), collector?.stop()]);
});

/** The demo's environment: this test's variables only (none inherited from the shell running the tests). */
function demoEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OMNICACHE_') && !k.startsWith('OTEL_')),
  );
  return {
    ...env,
    OMNICACHE_L2_REDIS_URL: redis.url,
    OMNICACHE_L2_REDIS_KEY_PREFIX: keyPrefix,
    OMNICACHE_L3_GCS_BUCKET: bucket,
    OMNICACHE_L3_GCS_API_ENDPOINT: gcs.apiEndpoint,
    OMNICACHE_L3_GCS_PROJECT_ID: gcs.projectId,
    OMNICACHE_BUS_KAFKA_BROKERS: kafka!.broker,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  };
}

/** Sum of the samples of `metric` whose labels include all of `labels` (Prometheus text format). */
function sample(text: string, metric: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

it('npm run demo with Redis, GCS, a Kafka bus and a collector from the environment: the data lands there', async () => {
  const child = spawn(
    process.execPath,
    [demoMain, '--duration', '4', '--once', '--hold', '--port', '0', '--no-page'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: demoEnv(),
    },
  );
  demo = child;
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  /** Waits for a line of the demo's output; fails at once (with the output) when the demo exits first. */
  const seen = async (re: RegExp, what: string): Promise<RegExpExecArray> => {
    const end = Date.now() + 45_000;
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > end)
        throw new Error(
          `no ${what} (demo ${child.exitCode === null ? 'still running after 45 s' : `exited with ${child.exitCode}`}); its output:\n${out}`,
        );
      await sleep(100);
    }
  };

  // The banner names each backend and the variable that chose it.
  await seen(/^point Prometheus at it/m, 'the banner');
  expect(out).toContain(
    `L2    redis  OMNICACHE_L2_REDIS_KEY_PREFIX=${keyPrefix} OMNICACHE_L2_REDIS_URL=${redis.url}\n`,
  );
  expect(out).toContain(
    `L3    gcs    OMNICACHE_L3_GCS_API_ENDPOINT=${gcs.apiEndpoint} OMNICACHE_L3_GCS_BUCKET=${bucket}`,
  );
  expect(out).toContain(`bus   kafka  OMNICACHE_BUS_KAFKA_BROKERS=${kafka!.broker}\n`);
  expect(out).toContain(
    `OTLP  http   OTEL_EXPORTER_OTLP_ENDPOINT=${otlpEndpoint}, every 1 s, service.name omnicache-demo\n`,
  );
  const metricsUrl = (await seen(/^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m, 'the metrics URL'))[1]!;
  const httpUrl = (
    await seen(/cache "demo-http"\): (http:\/\/127\.0\.0\.1:\d+)\/items\/1/, 'the HTTP URL')
  )[1]!;
  await seen(/^live cache: [\d,]+ hits/m, 'the end of the workload pass');

  // L2: the workload's entries are in Redis, under the prefix the environment gave.
  await redisClient.connect();
  const [, redisKeys] = await redisClient.scan('0', 'MATCH', `${keyPrefix}*`, 'COUNT', 10_000);
  expect(redisKeys.length).toBeGreaterThan(50);
  // L3: and objects in the fake-gcs bucket.
  const [files] = await new Storage({ ...gcs, retryOptions: { autoRetry: false } })
    .bucket(bucket)
    .getFiles({ maxResults: 100 });
  expect(files.length).toBeGreaterThan(50);

  // A second instance of each cache, here, on the same Redis and Kafka topics.
  const bus = () => kafkaBus({ brokers: [kafka!.broker] });
  const workload = createCache({
    name: 'demo',
    l1: { capacity: 100 },
    l2: redisTier({ connection: redis.url, keyPrefix }),
    bus: bus(),
  });
  const http = createCache({ name: 'demo-http', l1: { capacity: 100 }, bus: bus() });
  caches.push(workload, http);
  await Promise.all([workload.bus!.ready, http.bus!.ready]);

  // This instance -> the demo: a set() here is an invalidation the demo applies from Kafka (its /metrics say so),
  // and the value is in the shared Redis tier.
  await workload.set('item:from-second-instance', { by: 'test' });
  expect(await redisClient.keys(`${keyPrefix}*from-second-instance*`)).toHaveLength(1);
  await until('the demo to receive the invalidation over Kafka', async () => {
    const text = await (await fetch(metricsUrl)).text();
    const n = sample(text, prometheusName(METRICS.busMessages), {
      omnicache_cache_name: 'demo',
      omnicache_bus_transport: 'kafka',
      omnicache_bus_outcome: 'received',
    });
    return n >= 1 ? true : undefined;
  });

  // The demo -> this instance: a PUT on the demo's service invalidates the item's cached responses here too.
  const tag = pathTag('/items/299');
  await http.set('GET /items/299 (cached here)', 'stale', { tags: [tag] });
  const put = await fetch(`${httpUrl}/items/299`, { method: 'PUT' });
  expect(put.status).toBe(200);
  await until('the PUT to invalidate the second instance', async () =>
    (await http.get('GET /items/299 (cached here)')) === undefined ? true : undefined,
  );
  const stats = http.stats().invalidation!;
  expect(stats.transport).toBe('kafka');
  expect(stats.messages.received).toBeGreaterThanOrEqual(1);
  expect(stats.invalidations.some((i) => i.source === 'bus' && i.count >= 1)).toBe(true);

  // The messages are on Kafka: one topic per cache group.
  const admin = new Kafka({ brokers: [kafka!.broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of ['omnicache.invalidation.demo', 'omnicache.invalidation.demo-http']) {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(
        offsets.reduce((n, p) => n + Number(p.high), 0),
        topic,
      ).toBeGreaterThan(0);
    }
  } finally {
    await admin.disconnect();
  }

  // OTLP: the demo's metrics reach the collector (its Prometheus exporter, job = service.name).
  const atCollector = await until('the demo metrics on the collector', async () => {
    const text = await (await fetch(collectorMetrics)).text();
    const n = sample(text, prometheusName(METRICS.requests), {
      job: 'omnicache-demo',
      omnicache_cache_name: 'demo',
    });
    return n > 0 ? n : undefined;
  });
  expect(atCollector).toBeGreaterThan(0);

  // Ctrl-C: the demo stops cleanly with every backend connected.
  child.kill('SIGINT');
  expect(await exited).toBe(0);
}, 110_000);

it('OMNICACHE_BUS_REDIS_URL: the demo caches invalidate each other over Redis pub/sub', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-demo-env-'));
  try {
    const backends = await loadDemoBackends(dir, { OMNICACHE_BUS_REDIS_URL: redis.url });
    expect(backends.description).toContain(`bus   redis  OMNICACHE_BUS_REDIS_URL=${redis.url}`);
    const name = `demo-redis-bus-${run}`;
    const [a, b] = await Promise.all(
      [0, 1].map(async () => createCache({ name, l1: { capacity: 10 }, bus: await backends.newBus() })),
    );
    caches.push(a!, b!);
    await Promise.all([a!.bus!.ready, b!.bus!.ready]);
    expect(b!.bus!.transport).toBe('redis');
    await b!.set('k', 'old');
    await a!.set('k', 'new');
    await until('the set on one instance to drop the key on the other', async () =>
      (await b!.get('k')) === undefined ? true : undefined,
    );
    expect(b!.stats().invalidation!.messages.received).toBeGreaterThanOrEqual(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

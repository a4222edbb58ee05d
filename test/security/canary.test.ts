// With encryption on, a known plaintext (and its hex and base64 forms) never appears anywhere in what the
// remote tiers store: a full scan of Redis (single node and every Cluster master), fake-gcs objects (data and
// metadata) and fs files, nor in exported spans (key HMAC opted in), cache events (a decode-error included) or
// process warnings. A control run without encryption proves the tier scan finds the canary when it is there.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { awsKmsKeyProvider } from '../../sdk/core/src/aws-kms.js';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import {
  type Cache,
  type CacheConfig,
  type CacheEvent,
  createCache,
  fsTier,
  localKeyRing,
  traceCache,
} from '../../sdk/core/src/index.js';
import { redisClusterTier, redisTier } from '../../sdk/core/src/redis.js';
import { dirContents, findCanary, gcsContents, redisContents } from './stored-bytes.js';

const redis = inject('redis');
const cluster = inject('redisCluster');
const gcs = inject('gcs');
const kms = inject('kms');

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Writes the canary through every write path, in the root and in a namespace, and reads it back. */
async function writeCanaryEverywhere(cache: Cache, canary: string): Promise<string> {
  const value = { note: canary, bytes: Buffer.from(canary), nested: [canary, { again: canary }] };
  const run = randomBytes(4).toString('hex');
  await cache.set(`set-${run}`, value, { tags: [`tag-${run}`] });
  await cache.setMany<unknown>([
    { key: `many-a-${run}`, value: canary },
    { key: `many-b-${run}`, value: Buffer.from(canary) },
  ]);
  expect(await cache.getOrSet(`loaded-${run}`, async () => value)).toEqual(value);
  const tenant = cache.namespace(`tenant-${run}`);
  await tenant.set('profile', value);
  expect(await tenant.getOrSet('loaded', async () => canary)).toBe(canary);
  return run;
}

/** Every span (key HMAC opted in), every cache event and every process warning, as the exporters would see them. */
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const events: CacheEvent[] = [];
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

function telemetryOutput(): Buffer[] {
  const errorText = (e: unknown) =>
    e instanceof Error ? `${e.name}: ${e.message} ${String(e.cause ?? '')}` : '';
  return [
    ...spans
      .getFinishedSpans()
      .map((s) =>
        Buffer.from(
          JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }),
        ),
      ),
    ...events.map((e) => Buffer.from(`${JSON.stringify(e)} ${'error' in e ? errorText(e.error) : ''}`)),
    ...warnings.map((w) => Buffer.from(`${w.name}: ${w.message}`)),
  ];
}

async function cacheFor(
  name: string,
  tiers: Pick<CacheConfig, 'l2' | 'l3'>,
  encryption: CacheConfig['encryption'],
): Promise<() => Cache> {
  return () => {
    const c = createCache({ name, l1: { capacity: 100 }, ...tiers, defaults: { ttl: 300_000 }, encryption });
    traceCache(c, { tracerProvider, keyHmacSecret: 'canary-test-hmac-secret' });
    c.events.onAny((e) => events.push(e));
    cleanups.push(() => c.close());
    return c;
  };
}

async function newBucket(storage: Storage): Promise<string> {
  const bucket = `omnicache-canary-${randomBytes(4).toString('hex')}`;
  await storage.createBucket(bucket);
  return bucket;
}

describe('canary: no plaintext in any remote tier with encryption on', () => {
  const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });

  it('Redis single + GCS, data keys from AWS KMS (local-kms)', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}-plaintext`;
    const bucket = await newBucket(storage);
    const provider = awsKmsKeyProvider({
      keyIds: [kms.keyArns[0]!],
      clientConfig: {
        endpoint: kms.endpoint,
        region: kms.region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
    });
    cleanups.push(async () => provider.close());
    const name = `canary-kms-${randomBytes(3).toString('hex')}`;
    const make = await cacheFor(
      name,
      { l2: redisTier({ connection: redis.url }), l3: gcsTier({ bucket, storage }) },
      { provider },
    );
    const writer = make();
    const run = await writeCanaryEverywhere(writer, canary);
    const stats = writer.stats().encryption!;
    expect(stats.provider).toBe('aws-kms');
    expect(stats.encryptions).toBe(6); // one sealing per value, the same bytes go to L2 and L3
    expect(stats.dataKeysGenerated).toBe(2); // root + one namespace

    const scanClient = new Redis(redis.port, redis.host);
    cleanups.push(async () => scanClient.quit());
    const stored = [...(await redisContents(scanClient)), ...(await gcsContents(storage, bucket))];
    expect(stored.some((b) => b.includes(Buffer.from(name)))).toBe(true);
    expect(findCanary(stored, canary)).toEqual([]);

    // another instance (fresh DEK cache: unwraps through KMS) reads the values back
    const reader = make();
    expect(await reader.get(`many-a-${run}`)).toBe(canary);
    expect(await reader.namespace(`tenant-${run}`).get('loaded')).toBe(canary);
    expect(reader.stats().encryption!.dekCache.misses).toBe(2);
    // a damaged entry: its decode-error event must not carry the plaintext either
    const damaged = (await scanClient.getBuffer(`${name}::set-${run}`))!;
    damaged[damaged.length - 1]! ^= 1;
    await scanClient.set(`${name}::set-${run}`, damaged);
    // L2's copy fails authentication (a decode-error, removed); the read falls through to GCS's intact copy
    expect(await make().get(`set-${run}`)).toMatchObject({ note: canary });
    const telemetry = telemetryOutput();
    expect(spans.getFinishedSpans().length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'decode-error')).toBe(true);
    expect(findCanary(telemetry, canary)).toEqual([]);
  });

  it('Redis Cluster + fs, local key ring', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}-plaintext`;
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-canary-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const provider = localKeyRing({ keys: [{ id: 'canary-key', key: randomBytes(32) }] });
    const name = `canary-ring-${randomBytes(3).toString('hex')}`;
    const make = await cacheFor(
      name,
      { l2: redisClusterTier({ nodes: cluster.startupNodes }), l3: fsTier(dir) },
      { provider },
    );
    const run = await writeCanaryEverywhere(make(), canary);
    const scanClient = new Cluster(cluster.startupNodes);
    cleanups.push(async () => scanClient.quit());
    const stored = [...(await redisContents(scanClient)), ...(await dirContents(dir))];
    expect(stored.some((b) => b.includes(Buffer.from(name)))).toBe(true);
    expect(findCanary(stored, canary)).toEqual([]);
    expect(await make().namespace(`tenant-${run}`).get('profile')).toMatchObject({ note: canary });
    expect(await make().get(`many-b-${run}`)).toEqual(Buffer.from(canary));
  });

  it('control: without encryption the same scan finds the canary in Redis, GCS and fs', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}-control`;
    const bucket = await newBucket(storage);
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-canary-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const name = `canary-plain-${randomBytes(3).toString('hex')}`;
    const scanClient = new Redis(redis.port, redis.host);
    cleanups.push(async () => scanClient.quit());
    const plainRedis = (
      await cacheFor(
        name,
        { l2: redisTier({ connection: redis.url }), l3: gcsTier({ bucket, storage }) },
        undefined,
      )
    )();
    await writeCanaryEverywhere(plainRedis, canary);
    expect(findCanary(await redisContents(scanClient), canary).length).toBeGreaterThan(0);
    expect(findCanary(await gcsContents(storage, bucket), canary).length).toBeGreaterThan(0);
    await plainRedis.clear();
    const plainFs = (await cacheFor(`${name}-fs`, { l3: fsTier(dir) }, undefined))();
    await writeCanaryEverywhere(plainFs, canary);
    expect(findCanary(await dirContents(dir), canary).length).toBeGreaterThan(0);
  });
});

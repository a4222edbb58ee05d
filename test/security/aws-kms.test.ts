// The AWS KMS key provider against a real KMS API (local-kms): rotation to a second KMS key, context binding,
// a KMS outage with and without cached data keys, and tampered entries in real Redis removed on read.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { awsKmsKeyProvider } from '../../sdk/core/src/aws-kms.js';
import {
  type CacheEvent,
  createCache,
  type EncryptionError,
  type KeyProvider,
} from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { TOMBSTONE_MAGIC, unframeValue } from '../../sdk/core/src/tiers/redis/tag-frame.js';
import { startLocalKms } from '../services/local-kms.js';

const redis = inject('redis');
const kms = inject('kms');
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const closers: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function provider(endpoint: string, keyIds: string[]) {
  const p = awsKmsKeyProvider({ keyIds, clientConfig: { endpoint, region: kms.region, credentials } });
  closers.push(() => p.close());
  return p;
}

function cacheWith(name: string, keys: KeyProvider, events?: CacheEvent[], capacity = 100) {
  const c = createCache({
    name,
    l1: { capacity },
    l2: redisTier({ connection: redis.url }),
    defaults: { ttl: 300_000 },
    encryption: { provider: keys },
  });
  if (events) c.events.onAny((e) => events.push(e));
  closers.push(() => c.close());
  return c;
}

/** The key holds no value any more: gone, or a delete's tombstone (docs/invalidation.md). */
const removed = async (client: Redis, key: string): Promise<boolean> => {
  const b = await client.getBuffer(key);
  return b === null || b.subarray(0, 4).equals(TOMBSTONE_MAGIC);
};

const keyIdOf = async (client: Redis, key: string): Promise<string> => {
  const b = unframeValue((await client.getBuffer(key))!); // the envelope inside RedisTier's tag frame
  return b.subarray(5, 5 + b[4]!).toString();
};

describe('AwsKmsKeyProvider on local-kms', () => {
  const client = new Redis(redis.port, redis.host);
  closers.push(() => client.quit());

  it('rotation: new writes use the newest KMS key, values under the older key still read', async () => {
    const name = `kms-rot-${randomBytes(3).toString('hex')}`;
    const [a, b] = kms.keyArns as [string, string];
    await cacheWith(name, provider(kms.endpoint, [a])).set('old', 'written under A');
    const rotated = cacheWith(name, provider(kms.endpoint, [a, b]));
    await rotated.set('new', 'written under B');
    expect(await keyIdOf(client, `${name}::old`)).toBe(a);
    expect(await keyIdOf(client, `${name}::new`)).toBe(b);
    const reader = cacheWith(name, provider(kms.endpoint, [a, b]));
    expect(await reader.get('old')).toBe('written under A');
    expect(await reader.get('new')).toBe('written under B');
    // an instance that dropped key A from its ring treats A's values as unknown-key misses (and removes them)
    const events: CacheEvent[] = [];
    const onlyB = cacheWith(name, provider(kms.endpoint, [b]), events);
    expect(await onlyB.get('old')).toBeUndefined();
    const err = events.find((e) => e.type === 'decode-error');
    expect(err?.type === 'decode-error' && (err.error as EncryptionError).reason).toBe('unknown-key');
  });

  it('KMS enforces the namespace context: a value copied into another namespace is refused and removed', async () => {
    const name = `kms-ctx-${randomBytes(3).toString('hex')}`;
    const keys = provider(kms.endpoint, [kms.keyArns[0]!]);
    await cacheWith(name, keys).namespace('t1').set('k', 'tenant one');
    await client.set(`${name}:t2::k`, (await client.getBuffer(`${name}:t1::k`))!);
    const events: CacheEvent[] = [];
    const reader = cacheWith(name, provider(kms.endpoint, [kms.keyArns[0]!]), events);
    expect(await reader.namespace('t2').get('k')).toBeUndefined();
    const err = events.find((e) => e.type === 'decode-error');
    expect(err?.type === 'decode-error' && (err.error as EncryptionError).reason).toBe('kms-refused');
    await expect.poll(() => removed(client, `${name}:t2::k`)).toBe(true);
    expect(await reader.namespace('t1').get('k')).toBe('tenant one');
    expect(reader.stats().encryption!.failures.decrypt['kms-refused']).toBe(1);
  });

  it('a tampered value in Redis is a miss, never a wrong value, and is removed', async () => {
    const name = `kms-tamper-${randomBytes(3).toString('hex')}`;
    await cacheWith(name, provider(kms.endpoint, [kms.keyArns[0]!])).set('k', { amount: 100 });
    const bytes = (await client.getBuffer(`${name}::k`))!;
    bytes[bytes.length - 3]! ^= 0x20;
    await client.set(`${name}::k`, bytes);
    const reader = cacheWith(name, provider(kms.endpoint, [kms.keyArns[0]!]));
    expect(await reader.get('k')).toBeUndefined();
    await expect.poll(() => removed(client, `${name}::k`)).toBe(true);
    expect(reader.stats().encryption!.failures.decrypt.tampered).toBe(1);
  });

  it('KMS outage: cached data keys keep reads and writes going; a cold instance misses without removing data', async () => {
    const own = await startLocalKms();
    closers.push(() => own.stop());
    const name = `kms-down-${randomBytes(3).toString('hex')}`;
    // L1 of one entry: reads of anything but the last write go to Redis and need the data key
    const warm = cacheWith(name, provider(own.endpoint, [own.keyArns[0]!]), undefined, 1);
    await warm.set('a', 'before the outage');
    await own.stop();
    // the warm instance has its data key cached: writes and remote reads continue
    await warm.set('b', 'during the outage');
    expect(await warm.get('a')).toBe('before the outage');
    expect(await warm.get('b')).toBe('during the outage');
    expect(warm.stats().encryption!.providerErrors).toBe(0);
    const events: CacheEvent[] = [];
    const cold = cacheWith(name, provider(own.endpoint, [own.keyArns[0]!]), events);
    expect(await cold.get('a')).toBeUndefined(); // KMS unreachable and no cached data key
    const err = events.find((e) => e.type === 'decode-error');
    expect(err?.type === 'decode-error' && (err.error as EncryptionError).reason).toBe('kms-unavailable');
    expect(await client.exists(`${name}::a`, `${name}::b`)).toBe(2); // nothing removed
  });
});

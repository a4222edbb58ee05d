// Value policy 'encrypt' on real tiers: a namespace whose policy is 'encrypt' stores its values sealed in Redis and
// on disk (a full scan of both finds none of its PII), the other namespaces store theirs in the clear (the same
// scan finds them: the control), and a second instance with the same key ring reads every value back.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Cache, type CacheConfig, createCache, fsTier, localKeyRing } from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { dirContents, redisContents } from './stored-bytes.js';

const redis = inject('redis');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe("value policy 'encrypt' on Redis + fs", () => {
  it('seals the PII of encrypt namespaces in both remote tiers and leaves the others readable', async () => {
    const run = randomBytes(4).toString('hex');
    const name = `encpol-${run}`;
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-encpol-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const client = new Redis(redis.url);
    cleanups.push(() => client.quit());
    const provider = localKeyRing({ keys: [{ id: `k-${run}`, key: randomBytes(32) }] });
    const config = (): CacheConfig => ({
      name,
      l1: { capacity: 100 },
      l2: redisTier({ connection: redis.url }),
      l3: fsTier(dir),
      encryption: { provider, scope: 'policy' },
      security: { values: { namespaces: { users: 'encrypt' } } },
    });
    const writer: Cache = createCache(config());
    cleanups.push(() => writer.close());

    const secret = (who: string) => `${who}-${run}@example.com`;
    const users = writer.namespace('users');
    await users.set('u1', { email: secret('alice'), phone: '+44 20 7946 0958' });
    await users.namespace('profiles').set('u2', `contact ${secret('bob')}`);
    await writer.namespace('public').set('p1', { email: secret('carol') });

    const stored = [...(await redisContents(client)), ...(await dirContents(dir))];
    const holding = (needle: string) => stored.filter((b) => b.includes(needle)).length;
    expect(holding(secret('alice')), 'alice in the clear').toBe(0);
    expect(holding(secret('bob')), 'bob in the clear').toBe(0);
    // Control: the same scan finds the value of the namespace without the policy, once per remote tier.
    expect(holding(secret('carol'))).toBe(2);
    // The sealed entries are there (keys in the clear, values not): Redis and fs both hold users' keys.
    expect(stored.filter((b) => b.includes(`${name}:users::u1`)).length).toBeGreaterThanOrEqual(1);

    // Another instance (fresh L1) with the same key ring reads everything back through the tiers.
    const reader: Cache = createCache(config());
    cleanups.push(() => reader.close());
    expect(await reader.namespace('users').get('u1')).toEqual({
      email: secret('alice'),
      phone: '+44 20 7946 0958',
    });
    expect(await reader.namespace('users').namespace('profiles').get('u2')).toBe(`contact ${secret('bob')}`);
    expect(await reader.namespace('public').get('p1')).toEqual({ email: secret('carol') });
    expect(reader.stats().encryption?.decryptions ?? 0).toBeGreaterThanOrEqual(2);
  });
});

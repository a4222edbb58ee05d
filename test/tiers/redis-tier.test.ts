import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import { describeTierBehaviour } from './tier-behaviour.js';

const redis = inject('redis');

describeTierBehaviour('redis (tier-owned connection)', async () => ({
  tier: redisTier({ connection: redis.url }),
}));

describeTierBehaviour('redis (caller-owned client, key prefix)', async () => {
  const client = new Redis(redis.port, redis.host);
  return {
    tier: redisTier({ client, keyPrefix: 'app1|' }),
    cleanup: async () => {
      await client.quit();
    },
  };
});

describe('redis tag frames (deleteByTag checks the value’s own tags)', () => {
  const client = new Redis(redis.port, redis.host);
  const tier = redisTier({ client, keyPrefix: 'frames|' });
  afterAll(async () => {
    await tier.close();
    await client.quit();
  });
  const p = () => `omc-frame:${randomBytes(6).toString('hex')}:`;

  it('stores the tags in front of the value and reads back exactly the value', async () => {
    const k = `${p()}k`;
    await tier.set(k, Buffer.from('OCvalue'), { ttlMs: 60_000, tags: ['ünï', 't2'] });
    const raw = (await client.getBuffer(`frames|${k}`))!;
    expect([...raw.subarray(0, 4)]).toEqual([0x00, 0x4f, 0x54, 0x01]);
    expect(Buffer.from((await tier.get(k))!).toString()).toBe('OCvalue');
    expect((await tier.getMany([k]))[0]).toEqual(Buffer.from('OCvalue'));
  });

  it('reads values written before frames as they are, and deleteByTag still removes them', async () => {
    const q = p();
    // as an older omnicache wrote them: raw envelope bytes, member of the tag set
    await client.set(`frames|${q}old`, Buffer.from('OC\x01\x00payload'), 'PX', 60_000);
    await client.sadd(`frames|__omnicache:tag:${q}t`, `frames|${q}old`);
    expect(Buffer.from((await tier.get(`${q}old`))!).toString('latin1')).toBe('OC\x01\x00payload');
    await tier.set(`${q}new`, Buffer.from('OCnew'), { ttlMs: 60_000, tags: [`${q}t`] });
    expect(await tier.deleteByTag(`${q}t`)).toBe(2);
    expect(await tier.getMany([`${q}old`, `${q}new`])).toEqual([undefined, undefined]);
  });

  it('a tag that is a prefix or suffix of the stored one does not match', async () => {
    const q = p();
    await tier.set(`${q}k`, Buffer.from('OCv'), { ttlMs: 60_000, tags: [`${q}tag-long`] });
    await client.sadd(`frames|__omnicache:tag:${q}tag`, `frames|${q}k`); // a stale member
    expect(await tier.deleteByTag(`${q}tag`)).toBe(0);
    expect(await tier.get(`${q}k`)).toBeDefined();
    expect(await tier.deleteByTag(`${q}tag-long`)).toBe(1);
  });
});

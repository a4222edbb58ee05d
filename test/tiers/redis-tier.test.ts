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
    expect([...raw.subarray(0, 4)]).toEqual([0x00, 0x4f, 0x54, 0x02]);
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

describe('redis tombstones and conditional writes (format-1 frames, expiry)', () => {
  const client = new Redis(redis.port, redis.host);
  const tier = redisTier({ client, keyPrefix: 'tomb|', tombstoneMs: 200 });
  afterAll(async () => {
    await tier.close();
    await client.quit();
  });
  const p = () => `omc-tomb:${randomBytes(6).toString('hex')}:`;
  const frameV1 = (tags: string[], value: string) => {
    const t = tags.map((x) => Buffer.from(x));
    const n = t.reduce((s, x) => s + 4 + x.length, 0);
    const head = Buffer.alloc(8);
    Buffer.from([0x00, 0x4f, 0x54, 0x01]).copy(head);
    head.writeUInt32BE(n, 4);
    const parts = t.flatMap((x) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(x.length);
      return [len, x];
    });
    return Buffer.concat([head, ...parts, Buffer.from(value)]);
  };

  it('a format-1 frame (older omnicache) reads with its value and state "l"; tags, delete and writes still work', async () => {
    const q = p();
    await client.set(`tomb|${q}k`, frameV1([`${q}t`], 'OCold'), 'PX', 60_000);
    await client.sadd(`tomb|__omnicache:tag:${q}t`, `tomb|${q}k`);
    const r = await tier.read(`${q}k`);
    expect(Buffer.from(r.value!).toString()).toBe('OCold');
    expect(r.state).toBe('l');
    expect(await tier.setIfUnchanged({ key: `${q}k`, value: Buffer.from('OCnew'), ttlMs: 60_000 }, 'l')).toBe(
      true,
    );
    await client.set(`tomb|${q}k`, frameV1([`${q}t`], 'OCold'), 'PX', 60_000);
    expect(await tier.deleteByTag(`${q}t`)).toBe(1);
    expect(await tier.get(`${q}k`)).toBeUndefined();
  });

  it('a tombstone lives tombstoneMs, is left alone by deleteByTag, and is replaced by a plain set', async () => {
    const q = p();
    await tier.set(`${q}k`, Buffer.from('OCv'), { ttlMs: 60_000, tags: [`${q}t`] });
    await tier.delete(`${q}k`);
    const raw = (await client.getBuffer(`tomb|${q}k`))!;
    expect([...raw.subarray(0, 4)]).toEqual([0x00, 0x4f, 0x58, 0x01]);
    expect(await client.pttl(`tomb|${q}k`)).toBeLessThanOrEqual(200);
    await client.sadd(`tomb|__omnicache:tag:${q}t`, `tomb|${q}k`); // a stale member pointing at the tombstone
    expect(await tier.deleteByTag(`${q}t`)).toBe(0);
    expect(await client.exists(`tomb|${q}k`)).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await client.exists(`tomb|${q}k`)).toBe(0);
    expect((await tier.read(`${q}k`)).state).toBe('');
    await tier.delete(`${q}k`);
    await tier.set(`${q}k`, Buffer.from('OCnew'), { ttlMs: 60_000 });
    expect(Buffer.from((await tier.get(`${q}k`))!).toString()).toBe('OCnew');
  });

  it('tombstoneMs: 0 turns tombstones off: deletes remove the key', async () => {
    const plain = redisTier({ client, keyPrefix: 'tomb|', tombstoneMs: 0 });
    const q = p();
    await plain.set(`${q}k`, Buffer.from('OCv'), { ttlMs: 60_000 });
    expect(await plain.delete(`${q}k`)).toBe(true);
    expect(await client.exists(`tomb|${q}k`)).toBe(0);
    expect(await plain.delete(`${q}never`)).toBe(false);
    expect(await client.exists(`tomb|${q}never`)).toBe(0);
  });

  it('the conditional write script is loaded on demand (SCRIPT FLUSH in between)', async () => {
    const q = p();
    await client.script('FLUSH');
    expect(await tier.setIfUnchanged({ key: `${q}k`, value: Buffer.from('OCv'), ttlMs: 60_000 }, '')).toBe(
      true,
    );
    expect(Buffer.from((await tier.get(`${q}k`))!).toString()).toBe('OCv');
  });
});

// A record damaged inside Redis (SETRANGE on the stored bytes, as bit rot or a stray writer would) is caught by the
// envelope's CRC-32: the read is a miss (getOrSet calls the loader), a decode-error event carries a ChecksumError,
// stats count it, the damaged value is never returned, and Redis is left clean (record removed or reloaded).
// Control: the same damage to a record written with `checksum: false` (the default) decodes to a different value.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type Cache,
  type CacheEvent,
  ChecksumError,
  Codec,
  createCache,
  type DecodeErrorEvent,
} from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { frameContent, unframeValue } from '../../sdk/core/src/tiers/redis/tag-frame.js';

const redis = inject('redis');
const client = new Redis(redis.url);
const caches: Cache[] = [];
afterAll(async () => {
  for (const c of caches) await c.close().catch(() => undefined);
  await client.quit();
});

const ORIGINAL = 'balance=100;owner=alice';
const DAMAGED = 'balance=900;owner=alice';

function cache(name: string, checksum = true): { cache: Cache; events: CacheEvent[] } {
  const c = createCache({
    name,
    l1: { capacity: 100 },
    l2: redisTier({ connection: redis.url }),
    codec: { checksum },
  });
  caches.push(c);
  const events: CacheEvent[] = [];
  c.events.on('decode-error', (e) => events.push(e));
  return { cache: c, events };
}

/** Overwrites, in Redis, the '1' of "balance=100" in the stored bytes of `redisKey` with a '9' (SETRANGE). */
async function damage(redisKey: string): Promise<Buffer> {
  const stored = await client.getBuffer(redisKey);
  if (stored === null) throw new Error(`${redisKey} is not in Redis`);
  const at = stored.indexOf(Buffer.from(ORIGINAL));
  expect(at, 'the value is stored uncompressed and unencrypted').toBeGreaterThan(0);
  await client.setrange(redisKey, at + 'balance='.length, '9');
  const damaged = await client.getBuffer(redisKey);
  expect(damaged!.includes(Buffer.from(DAMAGED))).toBe(true);
  return damaged!;
}

/** Polls until `check` holds (the removal of a damaged record is issued in the background), at most 2 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await sleep(20);
  }
  return check();
}

describe('checksum of unencrypted records on real Redis', () => {
  it('getOrSet: a damaged record is a miss, the loader runs, a ChecksumError is reported, Redis ends up clean', async () => {
    const name = `cksum-${randomBytes(4).toString('hex')}`;
    const redisKey = `${name}::acct`;
    const writer = cache(name).cache;
    await writer.set('acct', ORIGINAL);
    const damaged = await damage(redisKey);

    const { cache: reader, events } = cache(name);
    const loaded = 'balance=100;owner=alice;reloaded';
    let loaderCalls = 0;
    const value = await reader.getOrSet('acct', () => {
      loaderCalls++;
      return loaded;
    });
    expect(value).toBe(loaded);
    expect(value).not.toBe(DAMAGED);
    expect(loaderCalls).toBe(1);

    expect(events).toHaveLength(1);
    const event = events[0] as DecodeErrorEvent;
    expect(event).toMatchObject({ type: 'decode-error', cache: name, tier: 'l2', key: redisKey });
    expect(event.error).toBeInstanceOf(ChecksumError);
    expect((event.error as ChecksumError).bytes).toBe(unframeValue(damaged).length);
    const l2 = reader.stats().tiers.l2!;
    expect(l2.checksumFailures).toBe(1);
    expect(l2.decodeErrors).toBe(1);
    expect(reader.stats().loader.calls).toBe(1);

    // Clean: the damaged bytes are gone; Redis holds the reload, or no value (the background removal's tombstone,
    // which refuses the reload's write-back when it lands first: a miss later, never a wrong value).
    const clean = await eventually(async () => {
      const now = await client.getBuffer(redisKey);
      return now === null || !now.equals(damaged);
    });
    expect(clean).toBe(true);
    const now = await client.getBuffer(redisKey);
    const content = now === null ? undefined : frameContent(now);
    if (content !== undefined) expect(new Codec().decode(content).value).toBe(loaded);
    // A third instance reads the reloaded value (or misses), never the damaged one.
    const third = cache(name).cache;
    expect([loaded, undefined]).toContain(await third.get('acct'));
  });

  it('get and getMany: a damaged record is a miss and is removed from Redis', async () => {
    const name = `cksum-${randomBytes(4).toString('hex')}`;
    const writer = cache(name).cache;
    await writer.set('a', ORIGINAL);
    await writer.set('b', ORIGINAL);
    await writer.set('ok', 'intact');
    await damage(`${name}::a`);
    await damage(`${name}::b`);

    const { cache: reader, events } = cache(name);
    expect(await reader.get('a')).toBeUndefined();
    expect(await reader.getMany(['b', 'ok'])).toEqual([undefined, 'intact']);
    expect(events.map((e) => (e as DecodeErrorEvent).error instanceof ChecksumError)).toEqual([true, true]);
    expect(reader.stats().tiers.l2!.checksumFailures).toBe(2);
    // removed: no key, or a delete's tombstone (no value)
    const holdsNoValue = async (key: string) => {
      const b = await client.getBuffer(key);
      return b === null || frameContent(b) === undefined;
    };
    for (const k of ['a', 'b']) expect(await eventually(() => holdsNoValue(`${name}::${k}`)), k).toBe(true);
    expect(await client.exists(`${name}::ok`)).toBe(1);
  });

  it('records written without a checksum (checksum: false, or an older omnicache) are read with it on', async () => {
    const name = `cksum-${randomBytes(4).toString('hex')}`;
    await cache(name, false).cache.set('k', { v: 1 });
    // the default configuration writes no checksum either
    const byDefault = createCache({ name, l1: { capacity: 10 }, l2: redisTier({ connection: redis.url }) });
    caches.push(byDefault);
    await byDefault.set('d', { v: 2 });
    for (const k of ['k', 'd']) {
      const stored = unframeValue((await client.getBuffer(`${name}::${k}`))!);
      expect(stored[2], k).toBe(1); // envelope version 1: no checksum
    }
    const { cache: reader, events } = cache(name);
    expect(await reader.get('k')).toEqual({ v: 1 });
    expect(await reader.get('d')).toEqual({ v: 2 });
    expect(events).toEqual([]);
  });

  it('control: the same damage to a record without a checksum decodes to a different value', async () => {
    const name = `cksum-${randomBytes(4).toString('hex')}`;
    await cache(name, false).cache.set('acct', ORIGINAL);
    await damage(`${name}::acct`);
    const { cache: reader, events } = cache(name, false);
    expect(await reader.get('acct')).toBe(DAMAGED);
    expect(events).toEqual([]);
  });
});

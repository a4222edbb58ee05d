import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisLock, redisTier } from '../../sdk/core/src/tiers/redis/index.js';

const redis = inject('redis');
const cluster = inject('redisCluster');

const clients = {
  'single node': () => new Redis(redis.port, redis.host),
  cluster: () => new Cluster(cluster.startupNodes),
};

for (const [label, connect] of Object.entries(clients)) {
  describe(`RedisLock on ${label}`, () => {
    const a = connect();
    const b = connect();
    afterAll(async () => {
      await Promise.all([a.quit(), b.quit()]);
    });
    const name = () => `lock-test:${randomBytes(6).toString('hex')}`;

    it('of many concurrent contenders on two connections exactly one acquires', async () => {
      const lockName = name();
      const locks = [new RedisLock(a), new RedisLock(b)];
      const handles = await Promise.all(
        Array.from({ length: 20 }, (_, i) => locks[i % 2]!.tryAcquire(lockName, 5000)),
      );
      expect(handles.filter(Boolean)).toHaveLength(1);
      await handles.find(Boolean)?.release();
      const again = await locks[1]!.tryAcquire(lockName, 5000);
      expect(again).toBeDefined();
      await again?.release();
    });

    it('a holder whose lock expired cannot release the next holder’s lock', async () => {
      const lockName = name();
      const first = await new RedisLock(a).tryAcquire(lockName, 150);
      expect(first).toBeDefined();
      await sleep(300);
      const second = await new RedisLock(b).tryAcquire(lockName, 5000);
      expect(second).toBeDefined();
      await first?.release(); // not the owner any more: must do nothing
      expect(await new RedisLock(a).tryAcquire(lockName, 5000)).toBeUndefined();
      await second?.release();
      expect(await new RedisLock(a).tryAcquire(lockName, 5000)).toBeDefined();
    });

    it('an unreleased lock expires after its TTL', async () => {
      const lockName = name();
      expect(await new RedisLock(a).tryAcquire(lockName, 200)).toBeDefined();
      expect(await new RedisLock(b).tryAcquire(lockName, 200)).toBeUndefined();
      await sleep(400);
      expect(await new RedisLock(b).tryAcquire(lockName, 200)).toBeDefined();
    });

    it('release is idempotent', async () => {
      const handle = await new RedisLock(a).tryAcquire(name(), 5000);
      await handle?.release();
      await handle?.release();
    });
  });
}

describe('RedisTier.lock()', () => {
  it('shares the tier connection and its key prefix', async () => {
    const tier = redisTier({ connection: redis.url, keyPrefix: 'lockprefix|' });
    const lockName = `lock-test:${randomBytes(6).toString('hex')}`;
    const handle = await tier.lock().tryAcquire(lockName, 5000);
    expect(handle).toBeDefined();
    const raw = new Redis(redis.port, redis.host);
    expect(await raw.exists(`lockprefix|__omnicache:lock:${lockName}`)).toBe(1);
    await handle?.release();
    expect(await raw.exists(`lockprefix|__omnicache:lock:${lockName}`)).toBe(0);
    await raw.quit();
    await tier.close();
  });
});

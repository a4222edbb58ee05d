// When Redis goes away, tier calls must fail within their timeout (never hang) so the cache's circuit breaker
// can open, and they must work again once Redis is back.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OmniCacheError, TierError } from '../../sdk/core/src/errors.js';
import { RedisLock, redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import type { RedisTier } from '../../sdk/core/src/tiers/redis/redis-tier.js';
import { freePort, type RedisHandle, startRedis } from '../services/index.js';

const TIMEOUT_MS = 300;
const SLACK_MS = 250;

async function timed(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work();
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('Redis tier during an outage', () => {
  let server: RedisHandle;
  let tier: RedisTier;

  beforeAll(async () => {
    server = await startRedis({ name: 'redis-outage' });
    tier = redisTier({ connection: server.url, commandTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await tier?.close();
    await server?.stop();
  });

  it('fails fast with TierError while Redis is down and recovers when it is back', async () => {
    await tier.set('outage:k', new Uint8Array([1, 2, 3]), { ttlMs: 60_000 });
    expect(await tier.get('outage:k')).toEqual(Buffer.from([1, 2, 3]));

    await server.kill();
    await sleep(50);
    const calls: (() => Promise<unknown>)[] = [
      () => tier.get('outage:k'),
      () => tier.getMany(['outage:k', 'outage:j']),
      () => tier.set('outage:k', new Uint8Array([4]), { ttlMs: 60_000, tags: ['outage:t'] }),
      () => tier.setMany([{ key: 'outage:j', value: new Uint8Array([5]), ttlMs: 60_000 }]),
      () => tier.delete('outage:k'),
      () => tier.deleteMany(['outage:k']),
      () => tier.deleteByTag('outage:t'),
      () => tier.clear('outage:'),
      () => tier.lock().tryAcquire('outage:lock', 1000),
    ];
    for (const call of calls) {
      const { error, ms } = await timed(call);
      expect(error).toBeInstanceOf(TierError);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }

    await server.restart();
    const deadline = Date.now() + 10_000;
    let value: Uint8Array | undefined;
    while (Date.now() < deadline) {
      try {
        await tier.set('outage:k', new Uint8Array([9]), { ttlMs: 60_000 });
        value = await tier.get('outage:k');
        break;
      } catch {
        await sleep(100);
      }
    }
    expect(value).toEqual(Buffer.from([9]));
  });
});

describe('Redis tier that never connected', () => {
  it('rejects within the timeout instead of queueing forever', async () => {
    const port = await freePort();
    const tier = redisTier({ connection: { host: '127.0.0.1', port }, commandTimeoutMs: TIMEOUT_MS });
    for (let i = 0; i < 3; i++) {
      const { error, ms } = await timed(() => tier.get('never'));
      expect(error).toBeInstanceOf(OmniCacheError);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    const lock = new RedisLock(tier.client, { commandTimeoutMs: TIMEOUT_MS });
    const { error, ms } = await timed(() => lock.tryAcquire('never', 1000));
    expect(error).toBeInstanceOf(OmniCacheError);
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    await tier.close();
  });
});

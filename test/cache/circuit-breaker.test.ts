// Circuit breaker against a real Redis that is killed and restarted mid-test (own instance from the harness).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheEvent, createCache } from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import { type RedisHandle, startRedis } from '../services/index.js';

describe('circuit breaker with Redis stopped and restarted', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('serves from L1 and the loader without errors while Redis is down, and closes again after restart', async () => {
    const cache = createCache({
      name: 'cb-it',
      l1: { capacity: 1000 },
      l2: {
        tier: redisTier({ connection: redis.url, commandTimeoutMs: 300 }),
        timeoutMs: 500,
        circuitBreaker: { failureThreshold: 3, windowMs: 10_000, openMs: 500 },
      },
    });
    const circuit: string[] = [];
    cache.events.on('circuit', (e: CacheEvent) => {
      if (e.type === 'circuit') circuit.push(`${e.from}->${e.to}`);
    });
    await cache.set('warm', 'in-l1');
    expect(cache.stats().tiers.l2!.sets).toBe(1);

    await redis.kill();
    let loads = 0;
    for (let i = 0; i < 20; i++) {
      expect(await cache.getOrSet(`down-${i}`, () => ++loads)).toBe(loads);
      expect(await cache.get('warm')).toBe('in-l1');
    }
    const down = cache.stats().tiers.l2!;
    expect(down.circuit.state).toBe('open');
    expect(down.circuit.opens).toBeGreaterThanOrEqual(1);
    expect(down.errors + down.timeouts).toBeGreaterThanOrEqual(3);
    expect(down.skipped).toBeGreaterThan(0);

    await redis.restart();
    let closed = false;
    for (let i = 0; i < 40 && !closed; i++) {
      await sleep(250);
      await cache.getOrSet(`up-${i}`, () => 'v');
      closed = cache.stats().tiers.l2!.circuit.state === 'closed';
    }
    expect(closed).toBe(true);
    expect(circuit.slice(0, 2)).toEqual(['closed->open', 'open->half-open']);
    expect(circuit.at(-1)).toBe('half-open->closed');
    await cache.set('after', 'restart');
    const fresh = createCache({
      name: 'cb-it',
      l1: { capacity: 10 },
      l2: redisTier({ connection: redis.url }),
    });
    expect(await fresh.get('after')).toBe('restart');
    await fresh.close();
    await cache.close();
  });
});

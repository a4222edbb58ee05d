// Chaos on a real Redis L2 (its own redis-server behind toxiproxy): crash, network partition, latency, a thin
// pipe, flapping and reset connections, each under concurrent mixed load on two cache instances with a working
// loader. See scenario.ts for what every run must hold.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { type Cache, createCache } from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import {
  type RedisHandle,
  startRedis,
  startToxiproxy,
  type ToxiproxyHandle,
  type ToxiproxyProxy,
} from '../services/index.js';
import {
  expectResilient,
  FAST_BREAKER,
  LOADER_MS,
  runChaos,
  SLACK_MS,
  standardLoad,
  TTL_MS,
} from './scenario.js';
import { at } from './workload.js';

const TIER_MS = 150;
/** get: one L2 read; getOrSet: L2 read + loader + L2 write; set: L2 write. */
const BUDGET_MS = 2 * TIER_MS + LOADER_MS + SLACK_MS;

describe('chaos: Redis L2 faults under load', () => {
  let redis: RedisHandle;
  let toxi: ToxiproxyHandle;
  let proxy: ToxiproxyProxy;
  let caches: Cache[] = [];

  beforeAll(async () => {
    [redis, toxi] = await Promise.all([startRedis({ name: 'chaos-redis' }), startToxiproxy()]);
    proxy = await toxi.createProxy('chaos-redis', `127.0.0.1:${redis.port}`);
  });
  afterAll(async () => {
    await toxi?.stop();
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(caches.map((c) => c.close()));
    caches = [];
    await proxy.clearToxics();
    await proxy.setEnabled(true);
    if (!redis.running()) await redis.restart();
  });

  function instances(n = 2, hardTimeoutMs = 0): Cache[] {
    const name = `chaos-${randomUUID().slice(0, 8)}`;
    caches = Array.from({ length: n }, () =>
      createCache({
        name,
        l1: { capacity: 64 },
        l2: {
          tier: redisTier({ connection: { host: '127.0.0.1', port: proxy.port }, commandTimeoutMs: TIER_MS }),
          timeoutMs: TIER_MS,
          circuitBreaker: FAST_BREAKER,
        },
        defaults: { ttl: TTL_MS, timeouts: { hard: hardTimeoutMs } },
      }),
    );
    return caches;
  }

  const base = () => standardLoad(BUDGET_MS);

  it('Redis killed (SIGKILL) and restarted empty', async () => {
    const r = await runChaos('redis-kill', {
      ...base(),
      caches: instances(),
      durationMs: 6_500,
      script: async (elapsed) => {
        await redis.kill();
        await at(elapsed, 3_700);
        await redis.restart();
      },
    });
    expectResilient(r, { opened: ['l2'] });
  });

  it('network partition (connections cut and refused) with the data kept', async () => {
    const r = await runChaos('redis-partition', {
      ...base(),
      caches: instances(),
      durationMs: 6_500,
      script: async (elapsed) => {
        await proxy.setEnabled(false);
        await at(elapsed, 3_700);
        await proxy.setEnabled(true);
      },
    });
    expectResilient(r, { opened: ['l2'] });
  });

  it('slow: 400 ms latency, then a 4 KB/s pipe', async () => {
    const r = await runChaos('redis-slow', {
      ...base(),
      caches: instances(),
      durationMs: 8_000,
      script: async (elapsed) => {
        await proxy.addToxic('latency', { latency: 400, jitter: 100 });
        await at(elapsed, 3_500);
        await proxy.clearToxics();
        await at(elapsed, 4_300);
        await proxy.addToxic('bandwidth', { rate: 4 });
        await at(elapsed, 5_800);
        await proxy.clearToxics();
      },
    });
    expectResilient(r, { opened: ['l2'] });
  });

  it('slow within the tier timeout (100 ms) with a 100 ms hard timeout on a 5 ms loader', async () => {
    // Redis answers, slowly, inside its budget: the breaker has nothing to do, and a loader that takes 5 ms must
    // not be reported as timed out because the write-back to the slow L2 took long.
    const r = await runChaos('redis-slow-within-budget', {
      ...base(),
      budgetMs: TIER_MS + 100 + TIER_MS + SLACK_MS,
      caches: instances(2, 100),
      durationMs: 5_000,
      script: async (elapsed) => {
        await proxy.addToxic('latency', { latency: 100, jitter: 10 });
        await at(elapsed, 4_000);
        await proxy.clearToxics();
      },
    });
    expectResilient(r, { opened: [] });
  });

  it('flapping: the link goes down and up every 300 ms', async () => {
    const r = await runChaos('redis-flapping', {
      ...base(),
      caches: instances(),
      durationMs: 7_000,
      script: async (elapsed) => {
        for (let up = false; elapsed() < 4_500; up = !up) {
          await proxy.setEnabled(up);
          await sleep(300);
        }
        await proxy.setEnabled(true);
      },
    });
    expectResilient(r, { opened: ['l2'] });
  });

  it('connections reset by peer (toxiproxy reset_peer)', async () => {
    const r = await runChaos('redis-reset-peer', {
      ...base(),
      caches: instances(),
      durationMs: 6_500,
      script: async (elapsed) => {
        await proxy.addToxic('reset_peer', { timeout: 50 }, 'upstream');
        await at(elapsed, 3_700);
        await proxy.clearToxics();
      },
    });
    expectResilient(r, { opened: ['l2'] });
  });
});

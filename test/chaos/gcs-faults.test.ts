// Chaos on a real GCS emulator (fake-gcs-server) as L3, behind an HTTP fault proxy: 5xx answers, then requests
// that are accepted and never answered (they stay open for good, as behind a black hole), under mixed load on
// two cache instances with a working loader.
import { randomUUID } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import { createCache } from '../../sdk/core/src/index.js';
import { type HttpFaultProxyHandle, startHttpFaultProxy } from '../services/index.js';
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

const TIER_MS = 300;
/** getOrSet: L3 read + loader + L3 write. */
const BUDGET_MS = 2 * TIER_MS + LOADER_MS + SLACK_MS;

describe('chaos: GCS L3 faults under load', () => {
  let proxy: HttpFaultProxyHandle;
  let bucket: string;
  beforeAll(async () => {
    const gcs = inject('gcs');
    bucket = `chaos-${randomUUID().slice(0, 8)}`;
    await new Storage({ ...gcs, retryOptions: { autoRetry: false } }).createBucket(bucket);
    proxy = await startHttpFaultProxy(gcs.apiEndpoint);
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('5xx answers, then requests that hang for good', async () => {
    const name = `chaos-gcs-${randomUUID().slice(0, 8)}`;
    const caches = [0, 1].map(() =>
      createCache({
        name,
        l1: { capacity: 64 },
        l3: {
          tier: gcsTier({
            bucket,
            storageOptions: { apiEndpoint: proxy.url, projectId: inject('gcs').projectId },
            requestTimeoutMs: TIER_MS,
          }),
          timeoutMs: TIER_MS,
          circuitBreaker: FAST_BREAKER,
        },
        defaults: { ttl: TTL_MS },
      }),
    );
    try {
      const r = await runChaos('gcs-5xx-and-hang', {
        ...standardLoad(BUDGET_MS),
        caches,
        durationMs: 9_000,
        settleMs: 4_000,
        script: async (elapsed) => {
          proxy.setFault({ kind: 'error', status: 503, rate: 0.5 });
          await at(elapsed, 3_500);
          proxy.setFault({ kind: 'none' });
          await at(elapsed, 4_300);
          proxy.setFault({ kind: 'stall', rate: 1 });
          await at(elapsed, 6_000);
          proxy.setFault({ kind: 'none' });
        },
        extra: () => ({ proxy: proxy.counts() }),
      });
      expect(proxy.counts().errored).toBeGreaterThan(0);
      expect(proxy.counts().stalled).toBeGreaterThan(0);
      // The tier cancelled every request it stopped waiting for: none of the hanging ones is still open.
      expect(proxy.counts().stalledOpen).toBe(0);
      expectResilient(r, { opened: ['l3'] });
      // L3 serves again: a value written now is read back from it by the other instance after its L1 drops it.
      await caches[0]!.set('after', { ok: true });
      const before = caches[1]!.stats().tiers.l3!.hits;
      expect(await caches[1]!.get('after')).toEqual({ ok: true });
      expect(caches[1]!.stats().tiers.l3!.hits).toBe(before + 1);
    } finally {
      await Promise.all(caches.map((c) => c.close()));
    }
  });
});

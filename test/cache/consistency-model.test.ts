// The interleaving model of sdk/core/test/consistency/model.ts against real tiers: Redis as L2 and a
// directory (fsTier) as L3. The scheduler decides when each call starts, when each real tier reply is handed
// to the cache, and when each loader returns; the tiers themselves do real I/O.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import { fsTier } from '../../sdk/core/src/index.js';
import { redisTier } from '../../sdk/core/src/redis.js';
import type { Tier } from '../../sdk/core/src/tiers/tier.js';
import { assertModel, modelCache, ScheduledTier } from '../../sdk/core/test/consistency/model.js';

const redis = inject('redis');
const gcs = inject('gcs');
const RUNS = Number(process.env.OMNICACHE_MODEL_RUNS ?? 150);

describe('interleavings against the reference model on real Redis + fs / GCS', () => {
  let dir: string;
  let l2: Tier;
  let l3: Tier;
  let gcsL3: Tier;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omnicache-model-'));
    l2 = redisTier({ connection: redis.url });
    l3 = fsTier(dir);
    const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });
    const bucket = `omnicache-model-${randomBytes(4).toString('hex')}`;
    await storage.createBucket(bucket);
    gcsL3 = gcsTier({ bucket, storage });
  });
  afterAll(async () => {
    await l2?.close();
    await l3?.close();
    await gcsL3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The model with Redis as L2 and `l3()` as L3, the cache under test seeing the scheduler's reply order. */
  const onRealTiers = (runs: number, l3Of: () => Tier, label: string) =>
    assertModel({
      runs,
      rules: { atomicInvalidations: false, expiring: false },
      setup: (s) => {
        const name = `model-${randomBytes(5).toString('hex')}`;
        const l3 = l3Of();
        return {
          cache: modelCache(name, {
            l2: new ScheduledTier(l2, s, 'redis'),
            l3: new ScheduledTier(l3, s, label),
          }),
          fresh: modelCache(name, { l2, l3 }),
        };
      },
    });

  it(`L1 + Redis + fs: every answer is one the model allows (${RUNS} runs)`, () =>
    onRealTiers(RUNS, () => l3, 'fs'));

  it(`L1 + Redis + GCS (fake-gcs-server): every answer is one the model allows (${Math.ceil(RUNS / 3)} runs)`, () =>
    onRealTiers(Math.ceil(RUNS / 3), () => gcsL3, 'gcs'));
});

import { describe, expect, it } from 'vitest';
import { FakeLock } from '../helpers/fake-tier.js';
import { OrderedTier } from '../helpers/ordered-tier.js';
import { assertModel, modelCache, ScheduledTier } from './model.js';

const RUNS = Number(process.env.OMNICACHE_MODEL_RUNS ?? 500);

describe('interleavings of one cache process against the reference model (in-memory tiers)', () => {
  const variants = [
    ['L1 only', false, false],
    ['L1 + L2', false, false],
    ['L1 + L2 + L3', false, false],
    ['L1 + L2 + L3, values expiring (stale-while-revalidate, grace, soft timeout)', true, false],
    ['L1 + L2 with the stampede lock', false, true],
  ] as const;
  for (const [layout, expiring, locked] of variants) {
    it(`${layout}: every answer is one the model allows (${RUNS} runs)`, async () => {
      let stale = 0;
      let lockWaits = 0;
      let runsSeen = 0;
      await assertModel({
        runs: RUNS,
        rules: { atomicInvalidations: true, expiring },
        afterRun: (cache) => {
          stale += cache.stats().requests.stale;
          lockWaits += cache.stats().lock.waited;
          runsSeen++;
        },
        setup: (s) => {
          // OrderedTier applies each call when it is issued; ScheduledTier lets the scheduler delay its reply.
          const l2 = layout === 'L1 only' ? undefined : new OrderedTier('redis');
          const l3 = layout.startsWith('L1 + L2 + L3') ? new OrderedTier('fs') : undefined;
          const cache = modelCache(
            'm',
            {
              ...(l2 ? { l2: new ScheduledTier(l2, s, 'l2') } : {}),
              ...(l3 ? { l3: new ScheduledTier(l3, s, 'l3') } : {}),
            },
            expiring,
            locked ? new FakeLock() : undefined,
          );
          const fresh =
            l2 === undefined ? undefined : modelCache('m', { l2, ...(l3 ? { l3 } : {}) }, expiring);
          return fresh === undefined ? { cache } : { cache, fresh };
        },
      });
      // The expiring variant really serves stale values (so those paths are what it checks).
      if (expiring) expect(stale).toBeGreaterThan(0);
      // The lock variant really has loads waiting for one another (flights overtaken by a write run side by side).
      if (locked) expect(lockWaits).toBeGreaterThan(0);
      if (process.env.OMNICACHE_MODEL_DEBUG)
        console.log(
          `${layout}: ${runsSeen} runs, ${stale} stale answers, ${lockWaits} waits for the stampede lock`,
        );
    });
  }
});

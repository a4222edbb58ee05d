import { describe, it } from 'vitest';
import { OrderedTier } from '../helpers/ordered-tier.js';
import { assertModel, modelCache, ScheduledTier } from './model.js';

const RUNS = Number(process.env.OMNICACHE_MODEL_RUNS ?? 500);

describe('interleavings of one cache process against the reference model (in-memory tiers)', () => {
  for (const layout of ['L1 only', 'L1 + L2', 'L1 + L2 + L3'] as const) {
    it(`${layout}: every answer is one the model allows (${RUNS} runs)`, async () => {
      await assertModel({
        runs: RUNS,
        atomicInvalidations: true,
        setup: (s) => {
          // OrderedTier applies each call when it is issued; ScheduledTier lets the scheduler delay its reply.
          const l2 = layout === 'L1 only' ? undefined : new OrderedTier('redis');
          const l3 = layout === 'L1 + L2 + L3' ? new OrderedTier('fs') : undefined;
          const cache = modelCache('m', {
            ...(l2 ? { l2: new ScheduledTier(l2, s, 'l2') } : {}),
            ...(l3 ? { l3: new ScheduledTier(l3, s, 'l3') } : {}),
          });
          const fresh = l2 === undefined ? undefined : modelCache('m', { l2, ...(l3 ? { l3 } : {}) });
          return fresh === undefined ? { cache } : { cache, fresh };
        },
      });
    });
  }
});

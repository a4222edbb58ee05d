import fc from 'fast-check';
import { describe, it } from 'vitest';
import { OrderedTier } from '../helpers/ordered-tier.js';
import { checkAfterwards, command, modelCache, runCommands, ScheduledTier } from './model.js';

const RUNS = Number(process.env.OMNICACHE_MODEL_RUNS ?? 300);

describe('interleavings of one cache process against the reference model', () => {
  for (const layout of ['L1 only', 'L1 + L2', 'L1 + L2 + L3'] as const) {
    it(`${layout}: every answer is one the model allows (${RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(command, { minLength: 1, maxLength: 14 }),
          async (s, commands) => {
            const l2 = layout === 'L1 only' ? undefined : new OrderedTier('redis');
            const l3 = layout === 'L1 + L2 + L3' ? new OrderedTier('fs') : undefined;
            const tiers = {
              ...(l2 ? { l2: new ScheduledTier(l2, s, 'l2') } : {}),
              ...(l3 ? { l3: new ScheduledTier(l3, s, 'l3') } : {}),
            };
            const cache = modelCache('m', tiers);
            const h = await runCommands(cache, s, commands);
            const fresh = l2 === undefined ? undefined : modelCache('m', { l2, ...(l3 ? { l3 } : {}) });
            await checkAfterwards(h, s, cache, fresh);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

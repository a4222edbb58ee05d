// Model-based check of the prefetch executor against writes under arbitrary interleavings (fast-check scheduler):
// a hinted key's prefetch load completes at any point relative to set / delete / invalidate / getOrSet calls on
// the key. Whatever the order, a prefetch that started before a write, delete or invalidation never lands after
// it: the cache ends up holding what the sequence of calls says, never the prefetched value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { FakePrefetchLoop } from './fake-prefetch-bus.js';

type Op = { kind: 'set'; value: string } | { kind: 'delete' } | { kind: 'invalidate' } | { kind: 'read' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom('a', 'b', 'c').map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.constant({ kind: 'invalidate' as const }),
  fc.constant({ kind: 'read' as const }),
);

/** What the key holds after the ops that ran after the last write/delete/invalidation (undefined: no such op). */
function expected(applied: readonly Op[]): { known: boolean; value: string | undefined } {
  let last = -1;
  applied.forEach((o, i) => {
    if (o.kind !== 'read') last = i;
  });
  if (last < 0) return { known: false, value: undefined };
  const w = applied[last]!;
  let value = w.kind === 'set' ? w.value : undefined;
  for (const o of applied.slice(last + 1)) if (o.kind === 'read' && value === undefined) value = 'demand';
  return { known: true, value };
}

describe('prefetch under interleavings', () => {
  it('never lands a prefetch over a later write, delete or invalidation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(op, { minLength: 1, maxLength: 5 }), async (s, ops) => {
        const loop = new FakePrefetchLoop();
        await loop.start();
        const cache = createCache({
          name: 'shop',
          l1: { capacity: 50 },
          prefetch: { bus: loop.cacheBus(), hashKey: loop.secret },
        });
        try {
          cache.registerLoader('k*', () => s.schedule(Promise.resolve('prefetched'), 'prefetch load'));
          await cache.get('k1'); // sampled: the dictionary knows k1
          await loop.hint(['k1']);
          expect(cache.stats().prefetch!.issued).toBe(1);
          const applied: Op[] = [];
          const runs = ops.map((o) =>
            s.schedule(Promise.resolve(o.kind), o.kind).then(async () => {
              applied.push(o);
              if (o.kind === 'set') await cache.set('k1', o.value);
              else if (o.kind === 'delete') await cache.delete('k1');
              else if (o.kind === 'invalidate') await cache.invalidate('k1');
              else await cache.getOrSet('k1', () => 'demand');
            }),
          );
          await s.waitAll();
          await Promise.all(runs);
          await new Promise((r) => setTimeout(r, 0));
          const got = await cache.get('k1');
          const want = expected(applied);
          if (want.known) expect(got).toBe(want.value);
          else expect([undefined, 'prefetched', 'demand']).toContain(got);
          const pf = cache.stats().prefetch!;
          expect(pf.used + pf.wasted + pf.outstanding).toBeLessThanOrEqual(1);
        } finally {
          await cache.close();
          await loop.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

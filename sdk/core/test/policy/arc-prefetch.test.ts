import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArcPolicy } from '../../src/policy/arc.js';
import { ReferenceArc } from './reference-arc.js';

function hot(arc: ArcPolicy<number>, keys: number[]): void {
  for (const k of keys) {
    arc.access(k);
    arc.access(k);
  }
}

describe('ArcPolicy.insertPrefetch: admission into T1 that cannot flush the hot set', () => {
  it('is refused when only T2 is resident and the cache is full', () => {
    const arc = new ArcPolicy<number>(3);
    hot(arc, [1, 2, 3]);
    expect(arc.snapshot().t2).toBe(3);
    expect(arc.insertPrefetch(9)).toBe(-1);
    expect([...arc.keys()].sort()).toEqual([1, 2, 3]);
    expect(arc.prefetchCounters()).toEqual({ issued: 0, used: 0, wasted: 0, pending: 0 });
  });

  it('makes room from the LRU end of T1 only, never from T2, and does not move p', () => {
    const arc = new ArcPolicy<number>(4);
    hot(arc, [1, 2]);
    arc.access(3);
    arc.access(4);
    const before = arc.snapshot();
    expect(arc.insertPrefetch(10)).toBeGreaterThanOrEqual(0);
    expect(arc.insertPrefetch(11)).toBeGreaterThanOrEqual(0);
    expect(arc.insertPrefetch(12)).toBeGreaterThanOrEqual(0); // evicts the prefetched 10: T1 now holds 11 and 12
    expect(arc.has(1) && arc.has(2)).toBe(true);
    expect(arc.has(3) || arc.has(4)).toBe(false);
    expect(arc.snapshot().p).toBe(before.p);
    expect(arc.snapshot().hits).toBe(before.hits);
    expect(arc.snapshot().misses).toBe(before.misses);
    expect(arc.prefetchCounters()).toEqual({ issued: 3, used: 0, wasted: 1, pending: 2 });
    // the wasted prefetch left no ghost; the demand keys it displaced did
    expect(arc.snapshot().b1).toBe(2);
  });

  it('a demand hit on a prefetched key is its first reference: used, kept in T1; the next hit moves it to T2', () => {
    const arc = new ArcPolicy<number>(4);
    arc.insertPrefetch(7);
    expect(arc.isPrefetched(7)).toBe(true);
    expect(arc.access(7)).toBe(true);
    expect(arc.isPrefetched(7)).toBe(false);
    expect(arc.snapshot()).toMatchObject({ t1: 1, t2: 0, hits: 1 });
    expect(arc.access(7)).toBe(true);
    expect(arc.snapshot()).toMatchObject({ t1: 0, t2: 1 });
    expect(arc.prefetchCounters()).toEqual({ issued: 1, used: 1, wasted: 0, pending: 0 });
  });

  it('a prefetch of a resident key is refused, of a ghost forgets the ghost', () => {
    const arc = new ArcPolicy<number>(2);
    arc.access(1);
    expect(arc.insertPrefetch(1)).toBe(-1);
    arc.access(1); // 1 in T2
    arc.access(2);
    arc.access(3); // 2 -> B1
    expect(arc.snapshot()).toMatchObject({ t1: 1, t2: 1, b1: 1 });
    expect(arc.insertPrefetch(2)).toBeGreaterThanOrEqual(0);
    // 3 went to B1, the ghost of 2 is gone, 1 stays in T2
    expect(arc.snapshot()).toMatchObject({ t1: 1, t2: 1, b1: 1, b2: 0 });
    expect(arc.has(1) && arc.has(2) && !arc.has(3)).toBe(true);
  });

  it('without prefetches the policy is still exactly the paper (prefetch code paths are inert)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 8 }),
        (keys, c) => {
          const arc = new ArcPolicy<number>(c);
          const ref = new ReferenceArc(c);
          for (const k of keys) expect(arc.access(k)).toBe(ref.request(k));
        },
      ),
    );
  });

  it('under any mix of requests, prefetches and removals the invariants and the accounting hold', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('access' as const), key: fc.integer({ min: 0, max: 25 }) }),
      fc.record({ kind: fc.constant('prefetch' as const), key: fc.integer({ min: 0, max: 25 }) }),
      fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 25 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 6 }), (ops, c) => {
        const arc = new ArcPolicy<number>(c);
        let removedPending = 0;
        for (const o of ops) {
          if (o.kind === 'access') arc.access(o.key);
          else if (o.kind === 'remove') {
            if (arc.isPrefetched(o.key)) removedPending++;
            arc.remove(o.key);
          } else {
            const t2Before = arc.snapshot().t2;
            arc.insertPrefetch(o.key);
            expect(arc.snapshot().t2).toBe(t2Before); // never takes from T2
          }
          const s = arc.snapshot();
          expect(s.t1 + s.t2).toBeLessThanOrEqual(c);
          expect(s.t1 + s.b1).toBeLessThanOrEqual(c);
          expect(s.t1 + s.t2 + s.b1 + s.b2).toBeLessThanOrEqual(2 * c);
          const pc = arc.prefetchCounters();
          expect(pc.issued).toBe(pc.used + pc.wasted + pc.pending + removedPending);
          expect(pc.pending).toBeLessThanOrEqual(s.t1);
        }
      }),
    );
  });
});

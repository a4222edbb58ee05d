import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArcPolicy } from '../../src/policy/arc.js';
import type { ArcSnapshot } from '../../src/policy/policy.js';
import { ReferenceArc } from './reference-arc.js';

function arcWithLog(c: number) {
  const arc = new ArcPolicy<number>(c);
  const evicted: number[] = [];
  arc.onEvict = (k) => evicted.push(k);
  return { arc, evicted };
}

function lists(s: ArcSnapshot) {
  return { t1: s.t1, t2: s.t2, b1: s.b1, b2: s.b2, p: s.p };
}

describe('ArcPolicy: the cases of Fig. 4', () => {
  it('case IV with an empty directory admits into T1 without replacement', () => {
    const { arc, evicted } = arcWithLog(2);
    expect(arc.access(1)).toBe(false);
    expect(arc.access(2)).toBe(false);
    expect(lists(arc.snapshot())).toEqual({ t1: 2, t2: 0, b1: 0, b2: 0, p: 0 });
    expect(evicted).toEqual([]);
    expect([...arc.keys()]).toEqual([2, 1]);
  });

  it('case I: a hit in T1 moves the key to T2, a hit in T2 keeps it there', () => {
    const { arc } = arcWithLog(2);
    arc.access(1);
    arc.access(2);
    expect(arc.access(1)).toBe(true);
    expect(lists(arc.snapshot())).toEqual({ t1: 1, t2: 1, b1: 0, b2: 0, p: 0 });
    expect(arc.access(1)).toBe(true);
    expect(lists(arc.snapshot())).toEqual({ t1: 1, t2: 1, b1: 0, b2: 0, p: 0 });
    expect(arc.snapshot().hits).toBe(2);
    expect(arc.snapshot().misses).toBe(2);
  });

  it('case IV-B with a full cache runs REPLACE: LRU of T1 goes to B1 when |T1| > p', () => {
    const { arc, evicted } = arcWithLog(2);
    arc.access(1);
    arc.access(2);
    arc.access(1); // T2=[1], T1=[2]
    arc.access(3); // REPLACE: |T1|=1 > p=0 -> 2 to B1
    expect(evicted).toEqual([2]);
    expect(lists(arc.snapshot())).toEqual({ t1: 1, t2: 1, b1: 1, b2: 0, p: 0 });
    expect(arc.has(2)).toBe(false);
  });

  it('case II: a ghost hit in B1 raises p by max(1, |B2|/|B1|) and moves the key to T2', () => {
    const { arc, evicted } = arcWithLog(2);
    for (const k of [1, 2, 1, 3]) arc.access(k); // T1=[3], T2=[1], B1=[2]
    expect(arc.access(2)).toBe(false);
    // p = 1; REPLACE: |T1|=1 is not > p -> LRU of T2 (1) goes to B2
    expect(evicted).toEqual([2, 1]);
    expect(lists(arc.snapshot())).toEqual({ t1: 1, t2: 1, b1: 0, b2: 1, p: 1 });
    expect(arc.snapshot().ghostHitsB1).toBe(1);
    expect(arc.has(2)).toBe(true);
  });

  it('case III: a ghost hit in B2 lowers p by max(1, |B1|/|B2|) and moves the key to T2', () => {
    const { arc, evicted } = arcWithLog(2);
    for (const k of [1, 2, 1, 3, 2]) arc.access(k); // T1=[3], T2=[2], B2=[1], p=1
    expect(arc.access(1)).toBe(false);
    // p = 0; REPLACE: |T1|=1 > 0 -> 3 to B1
    expect(evicted).toEqual([2, 1, 3]);
    expect(lists(arc.snapshot())).toEqual({ t1: 0, t2: 2, b1: 1, b2: 0, p: 0 });
    expect(arc.snapshot().ghostHitsB2).toBe(1);
  });

  it('the adaptation step is |B2|/|B1| (real-valued) when B2 is the larger ghost list', () => {
    const c = 5;
    const arc = new ArcPolicy<number>(c);
    const ref = new ReferenceArc(c);
    // A sequence (found with the reference oracle) leaving |B2| > |B1| > 0, |B2| not a multiple of |B1|.
    const seq = [0, 7, 0, 5, 2, 6, 9, 7, 6, 1, 3, 9, 8, 1, 4];
    for (const k of seq) expect(arc.access(k)).toBe(ref.request(k));
    const s = arc.snapshot();
    expect(s.p).toBe(ref.p);
    expect(s.b1 > 0 && s.b2 > s.b1).toBe(true);
    const ghost = ref.b1.at(-1)!;
    const expected = Math.min(c, s.p + s.b2 / s.b1);
    arc.access(ghost);
    expect(arc.snapshot().p).toBeCloseTo(expected, 12);
    expect(Number.isInteger(arc.snapshot().p)).toBe(false);
  });

  it('case IV-A with |T1| = c evicts the LRU of T1 entirely (no ghost)', () => {
    const { arc, evicted } = arcWithLog(2);
    arc.access(1);
    arc.access(2);
    arc.access(3); // |T1|+|B1| = 2 = c and |T1| = c -> delete LRU of T1
    expect(evicted).toEqual([1]);
    expect(lists(arc.snapshot())).toEqual({ t1: 2, t2: 0, b1: 0, b2: 0, p: 0 });
    arc.access(1);
    expect(arc.snapshot().ghostHitsB1).toBe(0);
  });

  it('case IV-A with |T1| < c drops the LRU ghost of B1, then replaces', () => {
    const { arc, evicted } = arcWithLog(2);
    for (const k of [1, 2, 2, 3]) arc.access(k); // T1=[3], B1=[1], T2=[2]
    expect(evicted).toEqual([1]);
    arc.access(4); // L1 = 2 = c, |T1| < c: B1 loses 1, REPLACE moves 3 to B1
    expect(evicted).toEqual([1, 3]);
    expect(lists(arc.snapshot())).toEqual({ t1: 1, t2: 1, b1: 1, b2: 0, p: 0 });
    arc.access(1); // 1 was forgotten: not a ghost hit
    expect(arc.snapshot().ghostHitsB1).toBe(0);
  });

  it('case IV-B with a full directory (2c) drops the LRU ghost of B2', () => {
    const c = 2;
    const arc = new ArcPolicy<number>(c);
    const ref = new ReferenceArc(c);
    for (const k of [2, 1, 1, 2, 0, 0, 4]) expect(arc.access(k)).toBe(ref.request(k));
    const before = arc.snapshot();
    expect(before.t1 + before.t2 + before.b1 + before.b2).toBe(2 * c);
    expect(before.t1 + before.b1).toBeLessThan(c);
    const lruOfB2 = ref.b2[0]!;
    arc.access(100);
    ref.request(100);
    expect(lists(arc.snapshot())).toEqual({
      t1: ref.t1.length,
      t2: ref.t2.length,
      b1: ref.b1.length,
      b2: ref.b2.length,
      p: ref.p,
    });
    expect(ref.b2.includes(lruOfB2)).toBe(false);
  });

  it('touch never admits; admit of a resident key is a hit-style move to T2', () => {
    const arc = new ArcPolicy<string>(3);
    expect(arc.touch('a')).toBe(false);
    expect(arc.size).toBe(0);
    arc.admit('a');
    arc.admit('a');
    expect(lists(arc.snapshot())).toEqual({ t1: 0, t2: 1, b1: 0, b2: 0, p: 0 });
    expect(arc.touch('a')).toBe(true);
  });

  it('remove forgets resident and ghost keys without calling the eviction listener', () => {
    const { arc, evicted } = arcWithLog(2);
    for (const k of [1, 2, 1, 3]) arc.access(k); // B1 = [2]
    expect(arc.remove(2)).toBe(false); // ghost
    expect(arc.remove(3)).toBe(true);
    expect(arc.has(3)).toBe(false);
    expect(evicted).toEqual([2]);
    expect(lists(arc.snapshot())).toEqual({ t1: 0, t2: 1, b1: 0, b2: 0, p: 0 });
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new ArcPolicy(0)).toThrow(/positive integer/);
    expect(() => new ArcPolicy(1.5)).toThrow(/positive integer/);
  });
});

function assertInvariants(s: ArcSnapshot): void {
  const c = s.capacity;
  expect(s.t1 + s.t2).toBeLessThanOrEqual(c);
  expect(s.t1 + s.b1).toBeLessThanOrEqual(c);
  expect(s.t1 + s.t2 + s.b1 + s.b2).toBeLessThanOrEqual(2 * c);
  expect(s.p).toBeGreaterThanOrEqual(0);
  expect(s.p).toBeLessThanOrEqual(c);
}

describe('ArcPolicy: properties', () => {
  it('matches the reference transcription of Fig. 4 request by request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 400 }),
        (c, requests) => {
          const arc = new ArcPolicy<number>(c);
          const ref = new ReferenceArc(c);
          for (const x of requests) {
            expect(arc.access(x)).toBe(ref.request(x));
            const s = arc.snapshot();
            expect([s.t1, s.t2, s.b1, s.b2, s.p]).toEqual([
              ref.t1.length,
              ref.t2.length,
              ref.b1.length,
              ref.b2.length,
              ref.p,
            ]);
          }
          // Resident keys, MRU first: T2 then T1.
          expect([...arc.keys()]).toEqual([...ref.t2].reverse().concat([...ref.t1].reverse()));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every invariant under random access/touch/admit/remove sequences', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('access' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('touch' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('admit' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(op, { maxLength: 500 }), (c, ops) => {
        const arc = new ArcPolicy<number>(c);
        const resident = new Set<number>();
        arc.onEvict = (k) => {
          expect(resident.delete(k)).toBe(true);
        };
        for (const o of ops) {
          if (o.kind === 'access' || o.kind === 'admit') {
            if (o.kind === 'access') arc.access(o.key);
            else arc.admit(o.key);
            resident.add(o.key);
          } else if (o.kind === 'touch') {
            expect(arc.touch(o.key)).toBe(resident.has(o.key));
          } else {
            expect(arc.remove(o.key)).toBe(resident.delete(o.key));
          }
          const s = arc.snapshot();
          assertInvariants(s);
          expect(s.t1 + s.t2).toBe(resident.size);
          expect(new Set(arc.keys())).toEqual(resident);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a hit does not allocate: 1M hits leave the heap flat', () => {
    const arc = new ArcPolicy<number>(1000);
    for (let i = 0; i < 1000; i++) arc.access(i);
    for (let i = 0; i < 1000; i++) arc.access(i); // all in T2
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let r = 0; r < 1000; r++) for (let i = 0; i < 1000; i++) arc.touch(i);
    const grown = process.memoryUsage().heapUsed - before;
    expect(arc.snapshot().hits).toBe(1_001_000);
    // Allocating even 16 bytes per hit would be 16 MB.
    expect(grown).toBeLessThan(2 * 1024 * 1024);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../../src/policy/index.js';
import { LruPolicy } from '../../src/policy/lru.js';

describe('LruPolicy', () => {
  it('evicts the least recently used key', () => {
    const lru = new LruPolicy<string>(2);
    const evicted: string[] = [];
    lru.onEvict = (k) => evicted.push(k);
    lru.access('a');
    lru.access('b');
    expect(lru.access('a')).toBe(true);
    lru.access('c');
    expect(evicted).toEqual(['b']);
    expect([...lru.keys()]).toEqual(['c', 'a']);
    expect(lru.snapshot()).toEqual({ capacity: 2, size: 2, hits: 1, misses: 3 });
  });

  it('matches a Map-based LRU model on random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        (c, seq) => {
          const lru = new LruPolicy<number>(c);
          const model = new Map<number, true>();
          for (const k of seq) {
            const hit = model.has(k);
            if (hit) model.delete(k);
            else if (model.size === c) model.delete(model.keys().next().value as number);
            model.set(k, true);
            expect(lru.access(k)).toBe(hit);
            expect(lru.size).toBeLessThanOrEqual(c);
          }
          expect([...lru.keys()]).toEqual([...model.keys()].reverse());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('createPolicy lists the valid policies for an unknown name', () => {
    expect(() => createPolicy('lfu', 10)).toThrow('unknown policy "lfu"; valid policies: arc, lru');
    expect(createPolicy('arc', 10).name).toBe('arc');
  });
});

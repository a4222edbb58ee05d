import { describe, expect, it } from 'vitest';
import { L1Counters } from '../src/cache/stats.js';
import type { L1Entry } from '../src/tiers/memory/entry.js';
import { MemoryTier } from '../src/tiers/memory/memory-tier.js';

const entry = (over: Partial<L1Entry> = {}): L1Entry => ({
  value: 1,
  freshUntil: 100,
  staleUntil: 200,
  ttl: 100,
  sliding: false,
  remoteKey: 'c::k',
  qualifiedTags: undefined,
  tags: undefined,
  size: 10,
  version: 0,
  ...over,
});

describe('MemoryTier', () => {
  it('distinguishes fresh, stale and expired entries', () => {
    const removed: string[] = [];
    const counters = new L1Counters();
    const t = new MemoryTier({
      capacity: 10,
      policy: 'arc',
      counters,
      onRemoved: (k, _e, r) => removed.push(`${k}:${r}`),
    });
    t.set('k', entry());
    expect(t.getFresh('k', 50)).toBeDefined();
    expect(t.getFresh('k', 150)).toBeUndefined();
    expect(t.getStale('k', 150)).toBeDefined();
    expect(t.getStale('k', 250)).toBeUndefined();
    expect(removed).toEqual(['k:expired']);
    expect(t.size).toBe(0);
    expect(counters).toMatchObject({ hits: 1, misses: 2, sets: 1, evictExpired: 1 });
  });

  it('keeps the tag index and byte total consistent through overwrite, delete and eviction', () => {
    const counters = new L1Counters();
    const t = new MemoryTier({ capacity: 2, policy: 'lru', counters });
    t.set('a', entry({ qualifiedTags: ['x'], size: 5 }));
    t.set('a', entry({ qualifiedTags: ['y'], size: 7 }));
    expect(t.bytes).toBe(7);
    expect(t.deleteByTag('x')).toBe(0);
    t.set('b', entry({ qualifiedTags: ['y'], size: 1 }));
    t.set('c', entry({ size: 2 }));
    expect(t.entries.has('a')).toBe(false);
    expect(t.bytes).toBe(3);
    expect(t.deleteByTag('y')).toBe(1);
    expect(t.bytes).toBe(2);
    expect(counters).toMatchObject({ evictCapacity: 1, evictInvalidated: 1 });
  });

  it('clear(prefix) removes only matching keys; sliding extends in place', () => {
    const t = new MemoryTier({ capacity: 10, policy: 'arc', counters: new L1Counters() });
    t.set('\0ns:\0a', entry());
    t.set('b', entry({ sliding: true }));
    expect(t.clear('\0ns:')).toBe(1);
    expect([...t.keys(0)]).toEqual(['b']);
    const e = t.getFresh('b', 90)!;
    expect(e.freshUntil).toBe(190);
    expect(e.staleUntil).toBe(290);
  });
});

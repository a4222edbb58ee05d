import { describe, expect, it } from 'vitest';
import { decimate, maxOf, stack } from '../src/transforms/decimate.js';

describe('decimate', () => {
  it('keeps at most two points per pixel column: the min and max, in time order', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i);
    const values = times.map((t) => (t === 420 ? 99 : t === 421 ? -5 : t % 7));
    const pts = decimate(times, values, 0, 1000, 10);
    expect(pts.length).toBeLessThanOrEqual(20);
    expect(pts.some((p) => p.y === 99)).toBe(true);
    expect(pts.some((p) => p.y === -5)).toBe(true);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.x).toBeGreaterThanOrEqual(pts[i - 1]!.x);
  });
  it('skips nulls and returns nothing for an empty range', () => {
    expect(decimate([0, 1, 2], [1, null, 3], 0, 2, 100).map((p) => p.y)).toEqual([1, 3]);
    expect(decimate([0], [1], 5, 5, 100)).toEqual([]);
  });
  it('stack sums columns, maxOf finds the largest value', () => {
    expect(stack([1, null, 3], [1, null, null])).toEqual([2, null, 3]);
    expect(maxOf([1, null], [7])).toBe(7);
  });
});

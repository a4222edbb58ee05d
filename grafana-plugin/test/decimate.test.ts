import { describe, expect, it } from 'vitest';
import { decimate, maxOf, type Polyline, stack } from '../src/transforms/decimate.js';

const points = (p: Polyline) => Array.from({ length: p.length }, (_, i) => ({ x: p.xs[i]!, y: p.ys[i]! }));

describe('decimate', () => {
  it('keeps at most two points per pixel column: the min and max, in time order', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i);
    const values = times.map((t) => (t === 420 ? 99 : t === 421 ? -5 : t % 7));
    const pts = points(decimate(times, values, 0, 1000, 10));
    expect(pts.length).toBeLessThanOrEqual(20);
    expect(pts.some((p) => p.y === 99)).toBe(true);
    expect(pts.some((p) => p.y === -5)).toBe(true);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.x).toBeGreaterThanOrEqual(pts[i - 1]!.x);
  });
  it('skips nulls and returns nothing for an empty range', () => {
    expect(points(decimate([0, 1, 2], [1, null, 3], 0, 2, 100)).map((p) => p.y)).toEqual([1, 3]);
    expect(decimate([0], [1], 5, 5, 100).length).toBe(0);
  });
  it('max mode keeps one point per column (the top of an area)', () => {
    const times = Array.from({ length: 100 }, (_, i) => i);
    const pts = points(
      decimate(
        times,
        times.map((t) => (t % 10 === 3 ? 50 + Math.floor(t / 10) : t % 10)),
        0,
        100,
        10,
        'max',
      ),
    );
    expect(pts.map((p) => p.y)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    // a constant run collapses to its two ends
    expect(
      points(
        decimate(
          times,
          times.map(() => 7),
          0,
          99,
          50,
        ),
      ),
    ).toEqual([
      { x: 0, y: 7 },
      { x: 50, y: 7 },
    ]);
  });
  it('stack sums columns, maxOf finds the largest value', () => {
    expect(stack([1, null, 3], [1, null, null])).toEqual([2, null, 3]);
    expect(maxOf([1, null], [7])).toBe(7);
  });
});

import { describe, expect, it } from 'vitest';
import { arcModel, lastValue, policyShifts } from '../src/transforms/arc.js';
import { framesToSeries } from '../src/transforms/samples.js';
import { SERIES } from '../src/transforms/series-names.js';
import { at, seriesFrame, times } from './frames.js';

const cache = { omnicache_cache_name: 'users' };
const T = times(6);

function frames(p: (number | null)[], extra: { cache?: Record<string, string> } = {}) {
  const labels = extra.cache ?? cache;
  return [
    seriesFrame(SERIES.arcCapacity, labels, T, [100, 100, 100, 100, 100, 100]),
    seriesFrame(SERIES.arcTarget, labels, T, p),
    seriesFrame(SERIES.arcListSize, { ...labels, omnicache_arc_list: 't1' }, T, [10, 20, 30, 40, 50, 60]),
    seriesFrame(SERIES.arcListSize, { ...labels, omnicache_arc_list: 't2' }, T, [90, 80, 70, 60, 50, 40]),
    seriesFrame(SERIES.arcListSize, { ...labels, omnicache_arc_list: 'b1' }, T, [0, 5, 10, 15, 20, 25]),
    seriesFrame(SERIES.arcListSize, { ...labels, omnicache_arc_list: 'b2' }, T, [0, 1, 2, 3, 4, 5]),
    seriesFrame(SERIES.arcGhostHits, { ...labels, omnicache_arc_list: 'b1' }, T, [0, 15, 45, 45, 75, 75]),
    seriesFrame(SERIES.arcGhostHits, { ...labels, omnicache_arc_list: 'b2' }, T, [0, 0, 0, 30, 30, 30]),
  ];
}

describe('arcModel', () => {
  it('aligns every list on the time axis of p and turns ghost-hit counters into rates', () => {
    const m = arcModel(framesToSeries(frames([10, 30, 70, 70, 20, 20])));
    expect(m.missing).toEqual([]);
    expect(m.cache).toBe('users');
    expect(m.times).toEqual(T);
    expect(m.t1).toEqual([10, 20, 30, 40, 50, 60]);
    expect(m.b2).toEqual([0, 1, 2, 3, 4, 5]);
    expect(m.ghostRateB1).toEqual([null, 1, 2, 0, 2, 0]);
    expect(m.ghostRateB2).toEqual([null, 0, 0, 2, 0, 0]);
    expect(m.shifts).toEqual([
      { time: at(2), to: 'recency', share: 0.7 },
      { time: at(4), to: 'frequency', share: 0.2 },
    ]);
  });
  it('picks the cache the option names, else the first; names missing series', () => {
    const all = framesToSeries([
      ...frames([50, 50, 50, 50, 50, 50]),
      ...frames([1, 1, 1, 1, 1, 1], { cache: { omnicache_cache_name: 'a' } }),
    ]);
    expect(arcModel(all).cache).toBe('a');
    expect(arcModel(all, [], { cache: 'users' }).target[0]).toBe(50);
    expect(arcModel(all, [], { cache: 'nope' }).missing).toHaveLength(4);
  });
  it('keeps only annotations that overlap the range', () => {
    const m = arcModel(framesToSeries(frames([50, 50, 50, 50, 50, 50])), [
      { time: at(-10), text: 'before' },
      { time: at(-2), timeEnd: at(1), text: 'overlaps' },
      { time: at(3), text: 'inside' },
      { time: at(9), text: 'after' },
    ]);
    expect(m.annotations.map((a) => a.text)).toEqual(['overlaps', 'inside']);
  });
  it('lastValue skips trailing gaps', () => {
    expect(lastValue([1, 2, null])).toBe(2);
    expect(lastValue([null])).toBeNull();
  });
});

describe('policyShifts', () => {
  const t = times(7);
  const c = Array(7).fill(100);
  it('marks a shift only once p/c leaves the band around one half', () => {
    expect(policyShifts(t, [45, 55, 45, 59, 61, 41, 39], c, 0.1)).toEqual([
      { time: at(4), to: 'recency', share: 0.61 },
      { time: at(6), to: 'frequency', share: 0.39 },
    ]);
  });
  it('with no band every crossing of one half is a shift; gaps and c = 0 are skipped', () => {
    expect(
      policyShifts(t, [40, 60, null, 40, 40, 60, 60], [100, 100, 100, 100, 0, 100, 100], 0).map(
        (s) => s.time,
      ),
    ).toEqual([at(1), at(3), at(5)]);
  });
  it('rejects a band outside 0..0.5', () => {
    expect(() => policyShifts(t, c, c, 0.7)).toThrow(/between 0 and 0.5/);
  });
});

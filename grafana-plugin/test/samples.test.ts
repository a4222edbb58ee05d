import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import {
  cacheNames,
  counterIncrease,
  counterRates,
  framesToSeries,
  missingSeries,
} from '../src/transforms/samples.js';
import { SERIES, VIEW_SERIES, viewQueries } from '../src/transforms/series-names.js';
import { at, seriesFrame, times } from './frames.js';

describe('series names', () => {
  it('are the Prometheus forms of the SDK conventions', () => {
    expect(SERIES.arcTarget).toBe('omnicache_arc_target');
    expect(SERIES.requests).toBe('omnicache_requests_total');
    expect(SERIES.arcGhostHits).toBe('omnicache_arc_ghost_hits_total');
    expect(viewQueries('arc')).toEqual(VIEW_SERIES.arc.map((n) => `${n}{omnicache_cache_name=~"$cache"}`));
  });
});

describe('framesToSeries', () => {
  it('reads name and labels from the value field and skips null samples', () => {
    const s = framesToSeries([
      seriesFrame(SERIES.arcTarget, { omnicache_cache_name: 'a' }, times(3), [1, null, 3]),
    ]);
    expect(s).toEqual([
      {
        name: SERIES.arcTarget,
        labels: { __name__: SERIES.arcTarget, omnicache_cache_name: 'a' },
        times: [at(0), at(2)],
        values: [1, 3],
      },
    ]);
  });
  it('falls back to the frame name and ignores frames without a time field', () => {
    const named = createDataFrame({
      name: SERIES.arcCapacity,
      fields: [
        { name: 'time', type: FieldType.time, values: [at(0)] },
        { name: 'v', type: FieldType.number, values: [100] },
      ],
    });
    const timeless = createDataFrame({ fields: [{ name: 'v', type: FieldType.number, values: [1] }] });
    expect(framesToSeries([named, timeless]).map((s) => s.name)).toEqual([SERIES.arcCapacity]);
  });
  it('names the series a view lacks and the caches present', () => {
    const s = framesToSeries([
      seriesFrame(SERIES.arcTarget, { omnicache_cache_name: 'b' }, times(2), [1, 2]),
      seriesFrame(SERIES.arcCapacity, { omnicache_cache_name: 'a' }, times(2), [10, 10]),
      seriesFrame(SERIES.arcListSize, { omnicache_cache_name: 'a' }, [], []),
    ]);
    expect(missingSeries(s, VIEW_SERIES.arc)).toEqual([SERIES.arcListSize, SERIES.arcGhostHits]);
    expect(cacheNames(s)).toEqual(['a', 'b']);
  });
});

describe('counters', () => {
  const s = { name: 'c', labels: {}, times: times(5), values: [10, 15, 3, 8, 8] };
  it('increase allows for a reset (a drop restarts from 0)', () => {
    expect(counterIncrease(s)).toBe(5 + 3 + 5 + 0);
    expect(counterIncrease(s, at(1), at(3))).toBe(3 + 5);
  });
  it('rates are per second between consecutive samples', () => {
    expect(counterRates(s)).toEqual({
      times: [at(1), at(2), at(3), at(4)],
      values: [5 / 15, 3 / 15, 5 / 15, 0],
    });
  });
});

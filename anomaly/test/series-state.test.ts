import { describe, expect, it } from 'vitest';
import { Ensemble, statisticalDetectors } from '../src/detectors/ensemble.js';
import { SeriesState } from '../src/service/series-state.js';

const policy = { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 };
const make = (kind: 'gauge' | 'counter') =>
  new SeriesState('s', '{}', {}, kind, new Ensemble(statisticalDetectors()), undefined, policy, 0);

describe('series state: bad input is counted, not scored', () => {
  it('rejects NaN/Inf and repeated timestamps', () => {
    const s = make('gauge');
    expect(s.ingest({ t: 1000, v: 1 }, 1000).kind).toBe('scored');
    expect(s.ingest({ t: 2000, v: Number.NaN }, 1000)).toEqual({ kind: 'rejected', reason: 'not_finite' });
    expect(s.ingest({ t: 2000, v: Number.POSITIVE_INFINITY }, 1000)).toEqual({
      kind: 'rejected',
      reason: 'not_finite',
    });
    expect(s.ingest({ t: 1000, v: 2 }, 1000)).toEqual({ kind: 'rejected', reason: 'stale' });
    expect(s.points).toBe(1);
  });

  it('flags the first point after a gap', () => {
    const s = make('gauge');
    s.ingest({ t: 1000, v: 1 }, 1000);
    const r = s.ingest({ t: 2000, v: 1 }, 1000);
    expect(r.kind === 'scored' && r.afterGap).toBe(false);
    const g = s.ingest({ t: 10_000, v: 1 }, 1000);
    expect(g.kind === 'scored' && g.afterGap).toBe(true);
  });

  it('counters: scores the per-second increase and skips a reset', () => {
    const s = make('counter');
    expect(s.ingest({ t: 0, v: 100 }, 1000).kind).toBe('warmup');
    expect(s.ingest({ t: 1000, v: 110 }, 1000).kind).toBe('scored');
    expect(s.lastValue).toBe(10);
    expect(s.ingest({ t: 2000, v: 5 }, 1000)).toEqual({ kind: 'rejected', reason: 'counter_reset' });
    expect(s.ingest({ t: 3000, v: 25 }, 1000).kind).toBe('scored');
    expect(s.lastValue).toBe(20);
  });
});

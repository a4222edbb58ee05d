import { describe, expect, it } from 'vitest';
import { NAB_PROFILES } from '../src/nab/profiles.js';
import { scoreResults } from '../src/nab/score.js';
import { bestThreshold, rawScoreAt, scaledSigmoid, scoreRows, sweepThresholds } from '../src/nab/sweep.js';
import { NAB_DIR, NAB_MISSING_REASON, NAB_PRESENT } from './nab-data.js';

const std = NAB_PROFILES.standard;
const minute = 60_000;

describe('NAB scoring function', () => {
  // 100 rows, probation 15; one window over rows 40..49.
  const timestamps = Array.from({ length: 100 }, (_, i) => i * minute);
  const windows = [{ start: 40 * minute, end: 49 * minute }];
  const at = (hits: number[]) => timestamps.map((_, i) => (hits.includes(i) ? 1 : 0));

  it('rewards the earliest detection in a window with ~tpWeight and a late one with less', () => {
    const early = rawScoreAt(scoreRows(timestamps, at([40]), windows, 0), 1, std, 0.5);
    const late = rawScoreAt(scoreRows(timestamps, at([49]), windows, 0), 1, std, 0.5);
    expect(early).toBeCloseTo(1, 10);
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(early);
    // Only the earliest detection counts: adding a later one changes nothing.
    expect(rawScoreAt(scoreRows(timestamps, at([40, 45]), windows, 0), 1, std, 0.5)).toBeCloseTo(early, 10);
  });

  it('charges a missed window fnWeight and false positives up to fpWeight, none in probation', () => {
    expect(rawScoreAt(scoreRows(timestamps, at([]), windows, 0), 1, std, 0.5)).toBe(-1);
    // Before any window: full FP weight.
    expect(rawScoreAt(scoreRows(timestamps, at([20]), windows, 0), 1, std, 0.5)).toBeCloseTo(-1.11, 10);
    // In probation (row < 15): not scored.
    expect(rawScoreAt(scoreRows(timestamps, at([5]), windows, 0), 1, std, 0.5)).toBe(-1);
    // Right after the window the penalty is small, far after it is the full weight.
    const near = rawScoreAt(scoreRows(timestamps, at([50]), windows, 0), 1, std, 0.5) + 1;
    const far = rawScoreAt(scoreRows(timestamps, at([95]), windows, 0), 1, std, 0.5) + 1;
    expect(near).toBeCloseTo(scaledSigmoid(1 / 9) * 0.11, 10);
    expect(far).toBeCloseTo(-0.11, 10);
  });

  it('the sweep agrees with scoring each threshold directly', () => {
    const scores = timestamps.map((_, i) => ((i * 37) % 101) / 100);
    const rows = scoreRows(timestamps, scores, windows, 0);
    const sweep = sweepThresholds(rows, 1, std);
    for (const s of sweep.slice(1)) expect(s.score).toBeCloseTo(rawScoreAt(rows, 1, std, s.threshold), 10);
    expect(bestThreshold(sweep).score).toBe(Math.max(...sweep.map((s) => s.score)));
  });
});

describe.skipIf(!NAB_PRESENT)(
  `NAB scorer on the published windowedGaussian results${NAB_PRESENT ? '' : ` (${NAB_MISSING_REASON})`}`,
  () => {
    const base = {
      resultsDir: `${NAB_DIR}/results/windowedGaussian`,
      detector: 'windowedGaussian',
      labelsFile: `${NAB_DIR}/labels/combined_windows.json`,
    };

    it('reproduces the published 39.6 / 20.9 / 47.4 with the published thresholds', () => {
      const r = scoreResults({ ...base, thresholdsFile: `${NAB_DIR}/config/thresholds.json` });
      expect(r.files).toBe(58);
      expect(r.windows).toBe(116);
      expect(Math.abs(r.scores.standard - 39.6)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(r.scores.reward_low_FP_rate - 20.9)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(r.scores.reward_low_FN_rate - 47.4)).toBeLessThanOrEqual(0.2);
      // NAB's own totals row for the standard profile.
      expect(r.raw.standard).toBeCloseTo(-24.0131054891, 6);
    });

    it('the threshold search finds at least the published scores', () => {
      const r = scoreResults(base);
      expect(r.scores.standard).toBeGreaterThanOrEqual(39.6 - 0.2);
      expect(r.scores.reward_low_FP_rate).toBeGreaterThanOrEqual(20.9 - 0.2);
      expect(r.scores.reward_low_FN_rate).toBeGreaterThanOrEqual(47.4 - 0.2);
    });
  },
);

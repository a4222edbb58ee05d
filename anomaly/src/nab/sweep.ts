// NAB's scoring function: every row after the probation period gets a weight from its position relative to the
// labelled windows; a threshold turns anomaly scores into detections, and the sweep evaluates every threshold at once.
import type { LabelWindow } from './labels.js';
import { probationLength } from './labels.js';
import type { CostMatrix } from './profiles.js';

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** NAB's scaled sigmoid: +~1 at the front of a window (-1), 0 at its end, towards -1 well after it (> 3 -> -1). */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** One scored row: its anomaly score, its unweighted reward/penalty, and the (global) window it lies in, else -1. */
export interface ScoredRow {
  readonly anomalyScore: number;
  /** In a window: reward of detecting it here, in (0, 1]. Outside: penalty of a false positive here, in [-1, 0). */
  readonly unweighted: number;
  readonly window: number;
}

/**
 * Rows of one file as NAB scores them. `windowOffset` makes window ids unique across files.
 * Inside a window of width W ending at row R, row i is worth scaledSigmoid(-(R - i + 1) / W) / scaledSigmoid(-1);
 * after a window, a false positive costs scaledSigmoid(|R - i| / (W - 1)); before any window it costs -1.
 */
export function scoreRows(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windows: readonly LabelWindow[],
  windowOffset: number,
): ScoredRow[] {
  const n = timestamps.length;
  const probation = probationLength(n);
  // Row ranges of the windows.
  const ranges = windows.map((w) => {
    let first = -1;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const t = timestamps[i]!;
      if (t >= w.start && t <= w.end) {
        if (first < 0) first = i;
        last = i;
      }
    }
    return { first, last };
  });
  const rows: ScoredRow[] = [];
  let prevRight = -1;
  let prevWidth = 0;
  let w = 0;
  for (let i = 0; i < n; i++) {
    // Move past windows that ended before row i (and windows with no rows in this file).
    while (w < ranges.length && (ranges[w]!.first < 0 || ranges[w]!.last < i)) {
      const done = ranges[w]!;
      if (done.first >= 0) {
        prevRight = done.last;
        prevWidth = done.last - done.first + 1;
      }
      w++;
    }
    const cur = ranges[w];
    let unweighted: number;
    let window = -1;
    if (cur && i >= cur.first && i <= cur.last) {
      const width = cur.last - cur.first + 1;
      unweighted = scaledSigmoid(-(cur.last - i + 1) / width) / MAX_TP;
      window = windowOffset + w;
    } else if (prevRight < 0) {
      unweighted = -1;
    } else {
      unweighted = scaledSigmoid(Math.abs(prevRight - i) / Math.max(prevWidth - 1, 1));
    }
    if (i >= probation) rows.push({ anomalyScore: anomalyScores[i] ?? 0, unweighted, window });
  }
  return rows;
}

/** Total raw score of the detections `anomalyScore >= threshold`. */
export function rawScoreAt(
  rows: readonly ScoredRow[],
  windowCount: number,
  cost: CostMatrix,
  threshold: number,
): number {
  const best = new Map<number, number>();
  let fp = 0;
  for (const r of rows) {
    if (!(r.anomalyScore >= threshold)) continue;
    if (r.window >= 0)
      best.set(r.window, Math.max(best.get(r.window) ?? Number.NEGATIVE_INFINITY, r.unweighted));
    else fp += r.unweighted;
  }
  let tp = 0;
  for (const u of best.values()) tp += u;
  return tp * cost.tpWeight + fp * cost.fpWeight - (windowCount - best.size) * cost.fnWeight;
}

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
}

/**
 * Every distinct threshold with its raw score, from the highest (nothing detected above it) down, in one pass
 * over the rows sorted by anomaly score (NAB's sweeper). The best threshold is the one with the highest score.
 */
export function sweepThresholds(
  rows: readonly ScoredRow[],
  windowCount: number,
  cost: CostMatrix,
): ThresholdScore[] {
  const sorted = [...rows].sort((a, b) => b.anomalyScore - a.anomalyScore);
  const best = new Map<number, number>();
  let score = -windowCount * cost.fnWeight;
  const out: ThresholdScore[] = [{ threshold: Number.POSITIVE_INFINITY, score }];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    if (r.window >= 0) {
      const prev = best.get(r.window);
      if (prev === undefined) {
        best.set(r.window, r.unweighted);
        score += r.unweighted * cost.tpWeight + cost.fnWeight;
      } else if (r.unweighted > prev) {
        best.set(r.window, r.unweighted);
        score += (r.unweighted - prev) * cost.tpWeight;
      }
    } else {
      score += r.unweighted * cost.fpWeight;
    }
    const next = sorted[i + 1];
    if (!next || next.anomalyScore !== r.anomalyScore) out.push({ threshold: r.anomalyScore, score });
  }
  return out;
}

/** The highest-scoring threshold (ties: the higher threshold, i.e. fewer detections). */
export function bestThreshold(sweep: readonly ThresholdScore[]): ThresholdScore {
  let best = sweep[0]!;
  for (const s of sweep) if (s.score > best.score) best = s;
  return best;
}

/** 100 * (raw - null) / (perfect - null): the null detector misses every window, the perfect one finds each at its start. */
export function normalise(raw: number, windowCount: number, cost: CostMatrix): number {
  const nullScore = -windowCount * cost.fnWeight;
  const perfect = windowCount * cost.tpWeight;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

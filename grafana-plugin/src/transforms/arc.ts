// ARC adaptation view model: c, p, |T1|, |T2|, |B1|, |B2| and the ghost-hit rates of one cache on one time axis,
// the moments the policy moved between recency and frequency, and the anomaly annotations in the range.

import type { ArcList } from 'omnicache/conventions';
import { cacheNames, counterRates, missingSeries, type SampleSeries, seriesOfCache } from './samples.js';
import { LABELS, SERIES, VIEW_SERIES } from './series-names.js';

export type Regime = 'recency' | 'frequency';

export interface PolicyShift {
  /** Epoch ms of the first sample in the new regime. */
  readonly time: number;
  readonly to: Regime;
  /** p / c at that sample. */
  readonly share: number;
}

export interface ArcAnnotation {
  readonly time: number;
  readonly timeEnd?: number;
  readonly text: string;
}

export interface ArcModel {
  readonly cache: string | undefined;
  /** Every cache found (the panel option picks one; default the first). */
  readonly caches: readonly string[];
  /** Convention series the frames lack (empty when the view can be drawn). */
  readonly missing: readonly string[];
  /** The time axis (epoch ms, ascending): the samples of p. */
  readonly times: readonly number[];
  /** One value per time (null where that series has no sample at that time). */
  readonly capacity: readonly (number | null)[];
  readonly target: readonly (number | null)[];
  readonly t1: readonly (number | null)[];
  readonly t2: readonly (number | null)[];
  readonly b1: readonly (number | null)[];
  readonly b2: readonly (number | null)[];
  /** Ghost hits per second in B1 (grow p) and B2 (shrink p). */
  readonly ghostRateB1: readonly (number | null)[];
  readonly ghostRateB2: readonly (number | null)[];
  readonly shifts: readonly PolicyShift[];
  readonly annotations: readonly ArcAnnotation[];
}

export interface ArcOptions {
  /** Cache name; undefined = the first cache found. */
  readonly cache?: string | undefined;
  /**
   * Half-width of the band around p/c = 0.5 inside which the regime is kept (hysteresis), so that p hovering
   * at the middle does not mark a shift at every sample. 0..0.5, default 0.1.
   */
  readonly hysteresis?: number;
}

function sameAxis(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function align(
  times: readonly number[],
  s: { times: readonly number[]; values: readonly number[] } | undefined,
) {
  if (s && sameAxis(times, s.times)) return s.values;
  const out: (number | null)[] = new Array(times.length).fill(null);
  if (!s) return out;
  // one pass when both are sorted (they are: samples come in time order): walk the two time axes together
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    while (j < s.times.length && s.times[j]! < t) j++;
    if (j < s.times.length && s.times[j] === t) out[i] = s.values[j]!;
  }
  return out;
}

function sumSeries(list: readonly SampleSeries[]): SampleSeries | undefined {
  if (list.length <= 1) return list[0];
  const sums = new Map<number, number>();
  for (const s of list)
    for (let i = 0; i < s.times.length; i++) {
      const t = s.times[i]!;
      sums.set(t, (sums.get(t) ?? 0) + s.values[i]!);
    }
  const times = [...sums.keys()].sort((a, b) => a - b);
  return { name: list[0]!.name, labels: list[0]!.labels, times, values: times.map((t) => sums.get(t)!) };
}

/**
 * Regime changes of p/c with hysteresis: the policy leans to recency when p/c >= 0.5 + h, to frequency when
 * p/c <= 0.5 - h; inside the band it keeps the previous regime. The first classified sample sets the start
 * regime and is not a shift.
 */
export function policyShifts(
  times: readonly number[],
  target: readonly (number | null)[],
  capacity: readonly (number | null)[],
  hysteresis = 0.1,
): PolicyShift[] {
  if (!(hysteresis >= 0 && hysteresis <= 0.5)) {
    throw new RangeError(`hysteresis must be between 0 and 0.5, got ${hysteresis}`);
  }
  const shifts: PolicyShift[] = [];
  let regime: Regime | undefined;
  for (let i = 0; i < times.length; i++) {
    const p = target[i];
    const c = capacity[i];
    if (p == null || c == null || c <= 0) continue;
    const share = p / c;
    let next: Regime | undefined = regime;
    if (share >= 0.5 + hysteresis) next = 'recency';
    else if (share <= 0.5 - hysteresis) next = 'frequency';
    else if (regime === undefined) next = share >= 0.5 ? 'recency' : 'frequency';
    if (regime !== undefined && next !== regime && next !== undefined) {
      shifts.push({ time: times[i]!, to: next, share });
    }
    regime = next;
  }
  return shifts;
}

function pick(series: readonly SampleSeries[], name: string, list?: ArcList): SampleSeries | undefined {
  return sumSeries(
    series.filter((s) => s.name === name && (list === undefined || s.labels[LABELS.arcList] === list)),
  );
}

export function arcModel(
  all: readonly SampleSeries[],
  annotations: readonly ArcAnnotation[] = [],
  options: ArcOptions = {},
): ArcModel {
  const caches = cacheNames(all);
  const cache = options.cache && options.cache !== '' ? options.cache : caches[0];
  const series = seriesOfCache(all, cache);
  const missing = missingSeries(series, VIEW_SERIES.arc);
  const targetSeries = pick(series, SERIES.arcTarget);
  const times = targetSeries ? [...targetSeries.times] : [];
  const ghost = (list: ArcList) => {
    const s = pick(series, SERIES.arcGhostHits, list);
    return align(times, s ? counterRates(s) : undefined);
  };
  const capacity = align(times, pick(series, SERIES.arcCapacity));
  const target = align(times, targetSeries);
  const from = times[0] ?? -Infinity;
  const to = times[times.length - 1] ?? Infinity;
  return {
    cache,
    caches,
    missing,
    times,
    capacity,
    target,
    t1: align(times, pick(series, SERIES.arcListSize, 't1')),
    t2: align(times, pick(series, SERIES.arcListSize, 't2')),
    b1: align(times, pick(series, SERIES.arcListSize, 'b1')),
    b2: align(times, pick(series, SERIES.arcListSize, 'b2')),
    ghostRateB1: ghost('b1'),
    ghostRateB2: ghost('b2'),
    shifts: policyShifts(times, target, capacity, options.hysteresis ?? 0.1),
    annotations: annotations.filter((a) => (a.timeEnd ?? a.time) >= from && a.time <= to),
  };
}

/** The last non-null value of a column (what the legend shows). */
export function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return values[i]!;
  return null;
}

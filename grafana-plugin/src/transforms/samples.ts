// Data frames (as Grafana's Prometheus data source returns them: one frame per series, a time field and a number
// field carrying the labels) -> plain sample series the views compute on.
import { type DataFrame, FieldType } from '@grafana/data';
import { LABELS } from './series-names.js';

export interface SampleSeries {
  /** Metric name (`__name__`, else the frame name). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Epoch milliseconds, ascending. */
  readonly times: readonly number[];
  readonly values: readonly number[];
}

function valueAt(values: { get(i: number): unknown } | readonly unknown[], i: number): unknown {
  return Array.isArray(values) ? values[i] : (values as { get(i: number): unknown }).get(i);
}

function complete(times: readonly unknown[], values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || Number.isNaN(v) || typeof times[i] !== 'number') return false;
  }
  return true;
}

/** Every (time, number) pair of every frame, as sample series; null/NaN samples are skipped. */
export function framesToSeries(frames: readonly DataFrame[]): SampleSeries[] {
  const out: SampleSeries[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) continue;
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) continue;
      const labels = { ...(field.labels ?? {}) };
      const name = labels[LABELS.name] ?? frame.name ?? field.name;
      const tv = time.values as unknown;
      const fv = field.values as unknown;
      // the common case (plain arrays, no gaps) shares the frame's arrays instead of copying 2 x n numbers
      if (Array.isArray(tv) && Array.isArray(fv) && fv.length === frame.length && complete(tv, fv)) {
        out.push({ name, labels, times: tv as number[], values: fv as number[] });
        continue;
      }
      const times: number[] = [];
      const values: number[] = [];
      for (let i = 0; i < frame.length; i++) {
        const t = Number(valueAt(time.values, i));
        const v = valueAt(field.values, i);
        if (typeof v !== 'number' || Number.isNaN(v) || !Number.isFinite(t)) continue;
        times.push(t);
        values.push(v);
      }
      out.push({ name, labels, times, values });
    }
  }
  return out;
}

/** Names of `required` series that no frame carries. */
export function missingSeries(series: readonly SampleSeries[], required: readonly string[]): string[] {
  const present = new Set(series.filter((s) => s.times.length > 0).map((s) => s.name));
  return required.filter((name) => !present.has(name));
}

/** Cache names found on the series (label `omnicache_cache_name`), sorted. */
export function cacheNames(series: readonly SampleSeries[]): string[] {
  const names = new Set<string>();
  for (const s of series) {
    const c = s.labels[LABELS.cache];
    if (c !== undefined) names.add(c);
  }
  return [...names].sort();
}

/** Series of one cache (all caches when `cache` is undefined and there is only one). */
export function seriesOfCache(series: readonly SampleSeries[], cache: string | undefined): SampleSeries[] {
  if (cache === undefined) return [...series];
  return series.filter((s) => s.labels[LABELS.cache] === cache);
}

/**
 * Increase of a counter between two times (inclusive), allowing for resets (a drop means the counter restarted
 * from 0), like PromQL's increase() without extrapolation.
 */
export function counterIncrease(s: SampleSeries, from = -Infinity, to = Infinity): number {
  let total = 0;
  let prev: number | undefined;
  for (let i = 0; i < s.times.length; i++) {
    const t = s.times[i]!;
    if (t < from || t > to) continue;
    const v = s.values[i]!;
    if (prev !== undefined) total += v >= prev ? v - prev : v;
    prev = v;
  }
  return total;
}

/** Per-second rate of a counter between consecutive samples, at each sample's time (the first has none). */
export function counterRates(s: SampleSeries): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < s.times.length; i++) {
    const dt = (s.times[i]! - s.times[i - 1]!) / 1000;
    if (dt <= 0) continue;
    const v = s.values[i]!;
    const prev = s.values[i - 1]!;
    times.push(s.times[i]!);
    values.push((v >= prev ? v - prev : v) / dt);
  }
  return { times, values };
}

// Reduces a series to at most two points per pixel column (the min and max in each column, in time order), so
// drawing cost depends on the panel width, not on the number of samples; spikes survive.

/** Points in pixel x and value y, in two flat arrays (no object per point: drawing allocates little). */
export interface Polyline {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly length: number;
}

const EMPTY: Polyline = { xs: new Float64Array(0), ys: new Float64Array(0), length: 0 };

/**
 * `times`/`values` -> pixel points: x = (t - from) / (to - from) * width, y = value (unscaled). Nulls are skipped.
 * `minmax` keeps each column's min and max (lines: spikes survive); `max` keeps its max (the top of an area).
 * Points inside a horizontal run are dropped (a constant series becomes two points).
 */
export function decimate(
  times: readonly number[],
  values: readonly (number | null)[],
  from: number,
  to: number,
  width: number,
  mode: 'minmax' | 'max' = 'minmax',
): Polyline {
  if (!(to > from) || width <= 0) return EMPTY;
  const scale = width / (to - from);
  // at most two points per column; columns run from floor(0) to floor(width) (samples outside the range add theirs)
  const capacity = Math.min(2 * times.length, 2 * (Math.ceil(width) + 2));
  let xs = new Float64Array(capacity);
  let ys = new Float64Array(capacity);
  let n = 0;
  const push = (i: number) => {
    const x = (times[i]! - from) * scale;
    const y = values[i]!;
    // the middle of three points at the same height adds nothing: move it instead of adding one
    if (n >= 2 && ys[n - 1] === y && ys[n - 2] === y) {
      xs[n - 1] = x;
      return;
    }
    if (n === xs.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2 + 2);
        b.set(a);
        return b;
      };
      xs = grow(xs);
      ys = grow(ys);
    }
    xs[n] = x;
    ys[n] = y;
    n++;
  };
  let col = Number.NaN;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (minI < 0) return;
    if (mode === 'max') {
      push(maxI);
      return;
    }
    const a = Math.min(minI, maxI);
    const b = Math.max(minI, maxI);
    push(a);
    if (b !== a) push(b);
  };
  for (let i = 0; i < times.length; i++) {
    const v = values[i];
    if (v == null) continue;
    const c = Math.floor((times[i]! - from) * scale);
    if (c !== col) {
      flush();
      col = c;
      minI = i;
      maxI = i;
    } else {
      if (v < values[minI]!) minI = i;
      if (v > values[maxI]!) maxI = i;
    }
  }
  flush();
  return { xs, ys, length: n };
}

/** Element-wise sum of columns (null where all are null), for stacked areas. */
export function stack(...columns: ReadonlyArray<readonly (number | null)[]>): (number | null)[] {
  const n = Math.max(0, ...columns.map((c) => c.length));
  const out: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    let sum: number | null = null;
    for (const c of columns) {
      const v = c[i];
      if (v != null) sum = (sum ?? 0) + v;
    }
    out[i] = sum;
  }
  return out;
}

/** Largest non-null value of the columns (0 when none). */
export function maxOf(...columns: ReadonlyArray<readonly (number | null)[]>): number {
  let m = 0;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v != null && v > m) m = v;
    }
  }
  return m;
}

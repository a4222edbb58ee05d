// Reduces a series to at most two points per pixel column (the first min and max in each column, in time order),
// so drawing cost depends on the panel width, not on the number of samples; spikes survive.

export interface Point {
  readonly x: number;
  readonly y: number;
}

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
): Point[] {
  const out: Point[] = [];
  if (!(to > from) || width <= 0) return out;
  const scale = width / (to - from);
  let col = Number.NaN;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (minI < 0) return;
    const a = Math.min(minI, maxI);
    const b = Math.max(minI, maxI);
    if (mode === 'max') {
      push(maxI);
      return;
    }
    push(a);
    if (b !== a) push(b);
  };
  const push = (i: number) => {
    const p = { x: (times[i]! - from) * scale, y: values[i]! };
    const n = out.length;
    // the middle of three points at the same height adds nothing: move it instead of adding one
    if (n >= 2 && out[n - 1]!.y === p.y && out[n - 2]!.y === p.y) out[n - 1] = p;
    else out.push(p);
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
  return out;
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

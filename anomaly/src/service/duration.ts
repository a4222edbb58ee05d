/** Parses a duration: a number of milliseconds, or a string such as `500ms`, `15s`, `5m`, `6h`, `7d`. */
export function parseDuration(input: number | string): number {
  if (typeof input === 'number') return input;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(input.trim());
  if (!m) throw new Error(`"${input}" is not a duration (use e.g. 500ms, 15s, 5m, 6h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit;
}

/** Milliseconds as a PromQL duration (whole seconds at least 1s). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

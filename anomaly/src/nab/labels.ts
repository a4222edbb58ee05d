import { readFileSync } from 'node:fs';
import { parseNabTimestamp } from './csv.js';
import { NabInputError } from './errors.js';

/** One labelled anomaly window, inclusive bounds in epoch ms. */
export interface LabelWindow {
  readonly start: number;
  readonly end: number;
}

/** NAB's `labels/combined_windows.json`: data file (`category/name.csv`) -> its anomaly windows. */
export function readWindows(file: string): Map<string, LabelWindow[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NabInputError(`cannot read labels ${file}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object')
    throw new NabInputError(`${file}: expected an object of file -> windows`);
  const out = new Map<string, LabelWindow[]>();
  for (const [name, windows] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(windows)) throw new NabInputError(`${file}: windows of ${name} are not a list`);
    out.set(
      name,
      windows.map((w) => {
        if (!Array.isArray(w) || w.length !== 2) throw new NabInputError(`${file}: bad window in ${name}`);
        return { start: parseNabTimestamp(String(w[0])), end: parseNabTimestamp(String(w[1])) };
      }),
    );
  }
  return out;
}

/** First `min(floor(15% of rows), 750)` rows: not scored (the detector is still learning). */
export function probationLength(rows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * rows), Math.floor(probationPercent * 5000));
}

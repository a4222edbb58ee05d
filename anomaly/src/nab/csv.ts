import { readFileSync } from 'node:fs';
import { NabInputError } from './errors.js';

/** NAB timestamps (`2014-07-01 00:00:00`, optionally with fractional seconds) are UTC; returns epoch ms. */
export function parseNabTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(text.trim());
  if (!m) throw new NabInputError(`not a NAB timestamp: "${text}" (expected YYYY-MM-DD HH:MM:SS)`);
  const ms = m[3] ? Math.round(Number(`0${m[3]}`) * 1000) : 0;
  return Date.parse(`${m[1]}T${m[2]}Z`) + ms;
}

export interface NabTable {
  readonly timestamps: number[];
  readonly columns: ReadonlyMap<string, number[]>;
}

/** Reads a NAB CSV (header row, comma-separated, no quoting) keeping `timestamp` and the named numeric columns. */
export function readNabCsv(file: string, wanted: readonly string[]): NabTable {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const tsIdx = header.indexOf('timestamp');
  if (tsIdx < 0) throw new NabInputError(`${file}: no "timestamp" column in the header`);
  const idx = wanted.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new NabInputError(`${file}: no "${name}" column (header: ${header.join(',')})`);
    return i;
  });
  const timestamps: number[] = [];
  const cols = wanted.map(() => [] as number[]);
  for (let r = 1; r < lines.length; r++) {
    const line = lines[r];
    if (!line) continue;
    const cells = line.split(',');
    timestamps.push(parseNabTimestamp(cells[tsIdx] ?? ''));
    for (let c = 0; c < idx.length; c++) cols[c]!.push(Number(cells[idx[c]!]));
  }
  return { timestamps, columns: new Map(wanted.map((name, c) => [name, cols[c]!])) };
}

// Scores a detector's results directory in NAB's layout against the labelled windows.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readNabCsv } from './csv.js';
import { NabInputError } from './errors.js';
import { readWindows } from './labels.js';
import { NAB_PROFILES, PROFILE_NAMES, type ProfileName, type ProfileScores } from './profiles.js';
import { bestThreshold, normalise, rawScoreAt, type ScoredRow, scoreRows, sweepThresholds } from './sweep.js';

export interface NabScoreOptions {
  /** Results directory: `<dir>/<category>/<detector>_<file>.csv` with an `anomaly_score` column. */
  readonly resultsDir: string;
  readonly detector: string;
  /** NAB's `labels/combined_windows.json`. */
  readonly labelsFile: string;
  /** NAB's `config/thresholds.json`: use the detector's published threshold per profile instead of searching. */
  readonly thresholdsFile?: string;
}

export interface NabScoreReport {
  readonly detector: string;
  /** Normalised scores (null detector 0, perfect 100). */
  readonly scores: ProfileScores;
  readonly raw: ProfileScores;
  readonly thresholds: ProfileScores;
  readonly files: number;
  readonly windows: number;
}

/** Path of a detector's results file for a data file named `category/name.csv`. */
export function resultsPath(resultsDir: string, detector: string, dataFile: string): string {
  return join(resultsDir, dirname(dataFile), `${detector}_${basename(dataFile)}`);
}

function publishedThresholds(file: string, detector: string): ProfileScores {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NabInputError(`cannot read thresholds ${file}: ${(err as Error).message}`);
  }
  const entry = (raw as Record<string, Record<string, { threshold?: unknown }>>)[detector];
  if (!entry) {
    throw new NabInputError(
      `${file} has no thresholds for detector "${detector}"; omit --thresholds to search them`,
    );
  }
  const out = {} as ProfileScores;
  for (const p of PROFILE_NAMES) {
    const t = entry[p]?.threshold;
    if (typeof t !== 'number') throw new NabInputError(`${file}: no numeric ${detector}.${p}.threshold`);
    out[p] = t;
  }
  return out;
}

/** Scored rows of every labelled file, with window ids unique across files. */
export function collectRows(
  resultsDir: string,
  detector: string,
  labelsFile: string,
): { rows: ScoredRow[]; windows: number; files: number } {
  const labels = readWindows(labelsFile);
  const rows: ScoredRow[] = [];
  let windows = 0;
  for (const [dataFile, fileWindows] of labels) {
    const path = resultsPath(resultsDir, detector, dataFile);
    if (!existsSync(path)) {
      throw new NabInputError(
        `missing results file ${path} for ${dataFile}: a results directory must hold every labelled file`,
      );
    }
    const table = readNabCsv(path, ['anomaly_score']);
    const scores = table.columns.get('anomaly_score')!;
    for (const r of scoreRows(table.timestamps, scores, fileWindows, windows)) rows.push(r);
    windows += fileWindows.length;
  }
  return { rows, windows, files: labels.size };
}

export function scoreResults(opts: NabScoreOptions): NabScoreReport {
  const { rows, windows, files } = collectRows(opts.resultsDir, opts.detector, opts.labelsFile);
  const fixed = opts.thresholdsFile ? publishedThresholds(opts.thresholdsFile, opts.detector) : undefined;
  const scores = {} as ProfileScores;
  const raw = {} as ProfileScores;
  const thresholds = {} as ProfileScores;
  for (const p of PROFILE_NAMES) {
    const cost = NAB_PROFILES[p as ProfileName];
    if (fixed) {
      thresholds[p] = fixed[p];
      raw[p] = rawScoreAt(rows, windows, cost, fixed[p]);
    } else {
      const best = bestThreshold(sweepThresholds(rows, windows, cost));
      thresholds[p] = best.threshold;
      raw[p] = best.score;
    }
    scores[p] = normalise(raw[p], windows, cost);
  }
  return { detector: opts.detector, scores, raw, thresholds, files, windows };
}

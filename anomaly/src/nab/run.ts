// Runs the ensemble over NAB's data files in streaming order (each point scored before it is learnt from) and
// writes the results in NAB's layout: one results directory per detector (the ensemble and each member alone).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Ensemble } from '../detectors/ensemble.js';
import { Refractory } from '../detectors/refractory.js';
import { readNabCsv } from './csv.js';
import { readWindows } from './labels.js';
import { type NabScoreReport, resultsPath, scoreResults } from './score.js';

export interface NabRunOptions {
  /** NAB root: `data/`, `labels/combined_windows.json`. */
  readonly nabDir: string;
  readonly outDir: string;
  /** Labels to score against (default: `<nabDir>/labels/combined_windows.json`). */
  readonly labelsFile?: string;
  /** Name of the ensemble's results (members are written under their own names, `<name>-<member>`). */
  readonly name: string;
  /** A fresh ensemble for one file; `rows` is the file's length (for length-relative settings, as NAB's probation). */
  readonly createEnsemble: (rows: number) => Ensemble | Promise<Ensemble>;
  readonly onFile?: (file: string, index: number, total: number) => void;
}

export interface NabRunReport {
  readonly ensemble: NabScoreReport;
  readonly members: NabScoreReport[];
  readonly seconds: number;
  /** Seconds spent training models (TF.js), summed over the files; part of `seconds`. */
  readonly trainingSeconds: number;
}

function isoNab(ts: number): string {
  return new Date(ts)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

export async function runNab(opts: NabRunOptions): Promise<NabRunReport> {
  const started = performance.now();
  const labelsFile = opts.labelsFile ?? join(opts.nabDir, 'labels', 'combined_windows.json');
  const labels = readWindows(labelsFile);
  let memberNames: string[] = [];
  let index = 0;
  let trainingSeconds = 0;
  for (const [dataFile, windows] of labels) {
    opts.onFile?.(dataFile, index++, labels.size);
    const table = readNabCsv(join(opts.nabDir, 'data', dataFile), ['value']);
    const values = table.columns.get('value')!;
    const ensemble = await opts.createEnsemble(values.length);
    memberNames = ensemble.names;
    const lines = ['timestamp,value,anomaly_score,label'];
    const memberLines = memberNames.map(() => ['timestamp,value,anomaly_score,label']);
    // Each member alone gets the ensemble's post-processing (refractory damping), so their scores compare.
    const memberRefractory = memberNames.map(() =>
      ensemble.refractoryPoints ? new Refractory(ensemble.refractoryPoints, ensemble.damping) : undefined,
    );
    for (let i = 0; i < values.length; i++) {
      const ts = table.timestamps[i]!;
      const r = await ensemble.updateAsync(values[i]!, ts);
      const label = windows.some((w) => ts >= w.start && ts <= w.end) ? 1 : 0;
      const prefix = `${isoNab(ts)},${values[i]}`;
      lines.push(`${prefix},${r.score},${label}`);
      memberNames.forEach((m, j) => {
        const raw = r.detectors[m] ?? 0;
        const score = memberRefractory[j] ? memberRefractory[j].apply(raw) : raw;
        memberLines[j]!.push(`${prefix},${score},${label}`);
      });
    }
    const write = (detector: string, rows: string[]) => {
      const path = resultsPath(join(opts.outDir, detector), detector, dataFile);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${rows.join('\n')}\n`);
    };
    await ensemble.settle();
    trainingSeconds += ensemble.trainingSeconds;
    write(opts.name, lines);
    memberNames.forEach((m, j) => {
      write(`${opts.name}-${m}`, memberLines[j]!);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const score = (detector: string) =>
    scoreResults({ resultsDir: join(opts.outDir, detector), detector, labelsFile });
  return {
    ensemble: score(opts.name),
    members: memberNames.map((m) => score(`${opts.name}-${m}`)),
    seconds,
    trainingSeconds,
  };
}

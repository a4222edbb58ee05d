import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createNabEnsemble } from '../nab/nab-ensemble.js';
import type { ProfileScores } from '../nab/profiles.js';
import { runNab } from '../nab/run.js';
import { scoreResults } from '../nab/score.js';

function table(rows: { detector: string; scores: ProfileScores }[]): string {
  const lines = ['detector                         standard  low_FP  low_FN'];
  for (const r of rows) {
    const s = r.scores;
    lines.push(
      `${r.detector.padEnd(32)} ${s.standard.toFixed(1).padStart(8)} ${s.reward_low_FP_rate.toFixed(1).padStart(7)} ${s.reward_low_FN_rate.toFixed(1).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

/** NAB root from `--data`: the benchmark's root (with data/ and labels/) or its data/ folder. */
function nabRoot(data: string): string {
  const abs = resolve(data);
  if (existsSync(join(abs, 'labels', 'combined_windows.json'))) return abs;
  if (existsSync(join(abs, '..', 'labels', 'combined_windows.json'))) return resolve(abs, '..');
  throw new Error(
    `--data ${data}: not a NAB directory (expected labels/combined_windows.json in it or beside it)`,
  );
}

export function registerNabCommands(program: Command): void {
  const nab = program
    .command('nab')
    .description('Numenta Anomaly Benchmark: score results, run the ensemble');

  nab
    .command('score')
    .description("score a detector's results directory in NAB's layout (<dir>/<category>/<NAME>_<file>.csv)")
    .requiredOption('--results <dir>', 'results directory')
    .requiredOption('--detector <name>', 'detector name (file prefix)')
    .requiredOption('--labels <file>', "NAB's labels/combined_windows.json")
    .option(
      '--thresholds <file>',
      "NAB's config/thresholds.json: use the published thresholds instead of searching",
    )
    .option('--json', 'print one JSON object')
    .action(
      (o: { results: string; detector: string; labels: string; thresholds?: string; json?: boolean }) => {
        const r = scoreResults({
          resultsDir: o.results,
          detector: o.detector,
          labelsFile: o.labels,
          ...(o.thresholds ? { thresholdsFile: o.thresholds } : {}),
        });
        if (o.json)
          console.log(JSON.stringify({ detector: r.detector, scores: r.scores, thresholds: r.thresholds }));
        else console.log(table([r]));
      },
    );

  nab
    .command('run')
    .description(
      'run the ensemble over every NAB file in streaming order, write results in NAB layout, score them',
    )
    .requiredOption('--data <dir>', 'NAB root (data/, labels/) or its data/ folder')
    .requiredOption('--out <dir>', 'results directory to write')
    .option('--labels <file>', 'labels (default: <NAB root>/labels/combined_windows.json)')
    .option('--no-tfjs', 'leave the TensorFlow.js forecaster out (ablation)')
    .option('--name <name>', 'detector name of the results', 'omnicache')
    .option('--json', 'print one JSON object')
    .action(
      async (o: {
        data: string;
        out: string;
        labels?: string;
        tfjs: boolean;
        name: string;
        json?: boolean;
      }) => {
        const root = nabRoot(o.data);
        const r = await runNab({
          nabDir: root,
          outDir: resolve(o.out),
          ...(o.labels ? { labelsFile: resolve(o.labels) } : {}),
          name: o.name,
          createEnsemble: (rows) => createNabEnsemble(rows, { tfjs: o.tfjs }),
          onFile: o.json
            ? undefined
            : (f, i, n) => process.stderr.write(`\r[nab] ${i + 1}/${n} ${f}`.padEnd(80)),
        });
        if (!o.json) process.stderr.write('\n');
        if (o.json) {
          const members = Object.fromEntries(r.members.map((m) => [m.detector, m.scores]));
          console.log(
            JSON.stringify({
              detector: o.name,
              scores: r.ensemble.scores,
              members,
              seconds: r.seconds,
              trainingSeconds: r.trainingSeconds,
            }),
          );
        } else {
          console.log(table([r.ensemble, ...r.members]));
          console.log(
            `${r.seconds.toFixed(1)} s for ${r.ensemble.files} files (${r.trainingSeconds.toFixed(1)} s training models)`,
          );
        }
      },
    );
}

// The full NAB run (58 files, streaming, no look-ahead) through the CLI, with and without the TF.js forecaster.
// The first bar of the issue (standard >= 65) is asserted for the ensemble with the TF.js forecaster (measured 68.2);
// the statistical ensemble alone scores 65.3, guarded by a floor just under it (see bench/results/nab.md).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NAB_DIR, NAB_MISSING_REASON, NAB_PRESENT } from './nab-data.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/omnicache-anomaly.js', import.meta.url));

interface NabJson {
  detector: string;
  scores: { standard: number; reward_low_FP_rate: number; reward_low_FN_rate: number };
  members?: Record<string, NabJson['scores']>;
  seconds?: number;
}

async function cli(args: string[]): Promise<NabJson> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24, timeout: 600_000 });
  return JSON.parse(stdout) as NabJson;
}

describe.skipIf(!NAB_PRESENT)(`NAB through the CLI${NAB_PRESENT ? '' : ` (${NAB_MISSING_REASON})`}`, () => {
  let withoutTf: NabJson | undefined;
  it('nab score --json reproduces windowedGaussian with the published thresholds', async () => {
    const r = await cli([
      'nab',
      'score',
      '--results',
      join(NAB_DIR, 'results', 'windowedGaussian'),
      '--detector',
      'windowedGaussian',
      '--labels',
      join(NAB_DIR, 'labels', 'combined_windows.json'),
      '--thresholds',
      join(NAB_DIR, 'config', 'thresholds.json'),
      '--json',
    ]);
    expect(r.detector).toBe('windowedGaussian');
    expect(r.scores.standard).toBeCloseTo(39.6, 0);
    expect(Math.abs(r.scores.reward_low_FP_rate - 20.9)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(r.scores.reward_low_FN_rate - 47.4)).toBeLessThanOrEqual(0.2);
  });

  it('nab run --no-tfjs: the statistical ensemble over all 58 files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nab-stat-'));
    const r = await cli(['nab', 'run', '--data', NAB_DIR, '--out', out, '--no-tfjs', '--json']);
    console.info(`[nab] without TF.js: ${JSON.stringify(r)}`);
    withoutTf = r;
    expect(r.seconds).toBeLessThan(300);
    expect(r.scores.standard).toBeGreaterThanOrEqual(64);
    expect(r.scores.reward_low_FP_rate).toBeGreaterThanOrEqual(50);
    expect(r.scores.reward_low_FN_rate).toBeGreaterThanOrEqual(71);
    // The ensemble beats each of its members alone.
    for (const m of Object.values(r.members ?? {})) expect(r.scores.standard).toBeGreaterThan(m.standard);
  }, 600_000);

  it('nab run: with the TF.js forecaster, all 58 files within 5 minutes; the forecaster earns its place', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nab-tf-'));
    const r = await cli(['nab', 'run', '--data', NAB_DIR, '--out', out, '--json']);
    console.info(`[nab] with TF.js: ${JSON.stringify(r)}`);
    expect(r.seconds).toBeLessThan(300);
    expect(r.members).toHaveProperty('omnicache-tfjs');
    expect(r.scores.standard).toBeGreaterThanOrEqual(65);
    // Ablation: the ensemble with the forecaster beats the one without it on every profile.
    expect(withoutTf).toBeDefined();
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const) {
      expect(r.scores[p], p).toBeGreaterThan(withoutTf!.scores[p]);
    }
  }, 600_000);
});

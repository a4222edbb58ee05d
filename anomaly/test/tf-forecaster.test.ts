import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTfBackend } from '../src/detectors/tf-backend.js';
import { TfForecaster } from '../src/detectors/tf-forecaster.js';
import { gaussian } from './synthetic.js';

const g = gaussian(21);
const series = Array.from({ length: 900 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 48) + 0.5 * g());
const opts = { firstTrainAfter: 400, retrainEvery: 100_000, epochs: 30 };

async function feed(f: TfForecaster, values: number[], from = 0): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    await f.settle();
    out.push(f.update(values[i]!, (from + i) * 60_000));
  }
  return out;
}

describe('TF.js forecaster', () => {
  let backend = '';
  beforeAll(async () => {
    backend = await ensureTfBackend();
  });

  it('uses the WASM backend when tfjs-node is absent', () => {
    expect(['tensorflow', 'wasm']).toContain(backend);
  });

  it('learns a seasonal shape in the background and flags a point off its forecast', async () => {
    const f = new TfForecaster(opts);
    const values = [...series];
    values[800] = values[800]! + 15;
    const stats = await feed(f, values);
    expect(f.training.rounds).toBe(1);
    expect(f.training.status).toBe('ready');
    expect(f.training.lastSeconds).toBeGreaterThan(0);
    expect(stats.slice(0, 400).every(Number.isNaN)).toBe(true); // no opinion before the first training
    const normal = stats.slice(450, 800).sort((a, b) => a - b);
    const p95 = normal[Math.floor(normal.length * 0.95)]!;
    expect(stats[800]!).toBeGreaterThan(3 * p95);
  });

  it('saves and reloads: a restarted forecaster forecasts exactly as before', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'anomaly-tf-')), 'model');
    const a = new TfForecaster(opts);
    await feed(a, series.slice(0, 600));
    await a.save(dir);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    const b = new TfForecaster(opts);
    expect(await b.load(dir)).toBe(true);
    expect(b.training.rounds).toBe(1);
    const next = series.slice(600, 700);
    const sa = await feed(a, next, 600);
    const sb = await feed(b, next, 600);
    // b has no history for its first window; after that both use the same weights and scaling.
    for (let i = 24; i < next.length; i++) expect(sb[i]).toBeCloseTo(sa[i]!, 5);
    expect(await new TfForecaster({ ...opts, window: 12 }).load(dir)).toBe(false); // incompatible shape
    expect(await new TfForecaster(opts).load(join(dir, 'missing'))).toBe(false);
  });
});

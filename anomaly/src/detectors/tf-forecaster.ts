import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { Detector } from './detector.js';
import { Ring } from './ring.js';

export interface TfForecasterOptions {
  /** Past values the model sees to forecast the next one. */
  window?: number;
  /** Hidden units of the one hidden layer. */
  hidden?: number;
  /** Values kept for training (the most recent). */
  history?: number;
  /** First training after this many values, then again every `retrainEvery` values. */
  firstTrainAfter?: number;
  retrainEvery?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Weight initialisation seed (reproducible runs). */
  seed?: number;
}

/** What a training round did, for the service's metrics. */
export interface TrainingStats {
  rounds: number;
  lastSeconds: number;
  totalSeconds: number;
  lastLoss: number;
  status: 'untrained' | 'training' | 'ready' | 'failed';
}

interface SavedMeta {
  version: 1;
  window: number;
  hidden: number;
  center: number;
  scale: number;
  seen: number;
  training: TrainingStats;
}

const defaults = {
  window: 24,
  hidden: 16,
  history: 1024,
  firstTrainAfter: 256,
  retrainEvery: 1024,
  epochs: 6,
  batchSize: 64,
  learningRate: 0.01,
  seed: 7,
} satisfies Required<TfForecasterOptions>;

/**
 * A small TensorFlow.js forecaster: a one-hidden-layer network maps the last `window` values (robustly
 * standardised) to the next one. Trained online in the background on the recent history (a copy is trained, the
 * serving model takes its weights when done); the statistic is the absolute forecast error in standardised units.
 * Call `ensureTfBackend()` before creating one.
 */
export class TfForecaster implements Detector {
  readonly name = 'tfjs';
  private readonly opts: Required<TfForecasterOptions>;
  private readonly ring: Ring;
  private readonly model: tf.LayersModel;
  private center = 0;
  private scale = 1;
  private seen = 0;
  private sinceTrain = 0;
  private running: Promise<void> | undefined;
  private readonly input: Float32Array;
  readonly training: TrainingStats = {
    rounds: 0,
    lastSeconds: 0,
    totalSeconds: 0,
    lastLoss: 0,
    status: 'untrained',
  };

  constructor(opts: TfForecasterOptions = {}) {
    this.opts = { ...defaults, ...opts };
    this.ring = new Ring(Math.max(this.opts.history, this.opts.window + 1));
    this.input = new Float32Array(this.opts.window);
    this.model = this.build();
  }

  private build(): tf.LayersModel {
    const { window, hidden, seed } = this.opts;
    const m = tf.sequential();
    m.add(
      tf.layers.dense({
        units: hidden,
        inputShape: [window],
        activation: 'tanh',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    );
    m.add(
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    );
    return m;
  }

  update(value: number, _timestamp?: number): number {
    const { window } = this.opts;
    let stat = Number.NaN;
    if (this.training.rounds > 0 && this.ring.size >= window) {
      for (let i = 0; i < window; i++)
        this.input[i] = (this.ring.recent(window - 1 - i) - this.center) / this.scale;
      const predicted = tf.tidy(
        () => (this.model.predict(tf.tensor2d(this.input, [1, window])) as tf.Tensor).dataSync()[0]!,
      );
      stat = Math.abs((value - this.center) / this.scale - predicted);
    }
    this.ring.push(value);
    this.seen++;
    this.sinceTrain++;
    const due =
      this.training.rounds === 0
        ? this.seen >= this.opts.firstTrainAfter
        : this.sinceTrain >= this.opts.retrainEvery;
    if (due && !this.running) {
      this.sinceTrain = 0;
      this.running = this.train().finally(() => {
        this.running = undefined;
      });
    }
    return stat;
  }

  get trainingSeconds(): number {
    return this.training.totalSeconds;
  }

  settle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** One training round on the recent history; the serving model takes the new weights at the end. */
  private async train(): Promise<void> {
    const { window, epochs, batchSize, learningRate } = this.opts;
    const started = performance.now();
    this.training.status = 'training';
    const values = this.ring.values();
    const center = median(values);
    const scale = 1.4826 * medianAbsoluteDeviation(values) || Math.max(Math.abs(center) * 1e-3, 1e-9);
    const samples = values.length - window;
    const xs = new Float32Array(samples * window);
    const ys = new Float32Array(samples);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < window; i++) xs[s * window + i] = (values[s + i]! - center) / scale;
      // Clip targets so a past spike does not dominate the squared loss.
      ys[s] = Math.max(-10, Math.min(10, (values[s + window]! - center) / scale));
    }
    const trainee = this.build();
    trainee.setWeights(this.model.getWeights());
    trainee.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
    const x = tf.tensor2d(xs, [samples, window]);
    const y = tf.tensor2d(ys, [samples, 1]);
    try {
      const h = await trainee.fit(x, y, { epochs, batchSize, shuffle: false, verbose: 0 });
      const loss = h.history.loss?.at(-1);
      this.model.setWeights(trainee.getWeights());
      this.center = center;
      this.scale = scale;
      this.training.lastLoss = typeof loss === 'number' ? loss : Number.NaN;
      this.training.rounds++;
      this.training.status = 'ready';
    } catch (err) {
      this.training.status = 'failed';
      throw err;
    } finally {
      x.dispose();
      y.dispose();
      trainee.dispose();
      const seconds = (performance.now() - started) / 1000;
      this.training.lastSeconds = seconds;
      this.training.totalSeconds += seconds;
    }
  }

  /** Saves the model (topology + weights) and the scaling to `dir` (model.json, weights.bin, meta.json). */
  async save(dir: string): Promise<void> {
    await this.settle();
    mkdirSync(dir, { recursive: true });
    const meta: SavedMeta = {
      version: 1,
      window: this.opts.window,
      hidden: this.opts.hidden,
      center: this.center,
      scale: this.scale,
      seen: this.seen,
      training: { ...this.training },
    };
    await this.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const tmp = (f: string) => join(dir, `${f}.tmp`);
        writeFileSync(
          tmp('model.json'),
          JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }),
        );
        const data = artifacts.weightData;
        const buf =
          data instanceof ArrayBuffer
            ? Buffer.from(data)
            : Buffer.concat((data ?? []).map((b) => Buffer.from(b)));
        writeFileSync(tmp('weights.bin'), buf);
        writeFileSync(tmp('meta.json'), JSON.stringify(meta));
        for (const f of ['model.json', 'weights.bin', 'meta.json']) renameSync(tmp(f), join(dir, f));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  }

  /**
   * Loads what `save` wrote into this forecaster (same window and hidden size), so scoring resumes with the trained
   * model after a restart. Returns false (and changes nothing) when `dir` holds no compatible model.
   */
  async load(dir: string): Promise<boolean> {
    let meta: SavedMeta;
    let model: { modelTopology: object; weightSpecs: tf.io.WeightsManifestEntry[] };
    let weights: Buffer;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as SavedMeta;
      model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      weights = readFileSync(join(dir, 'weights.bin'));
    } catch {
      return false;
    }
    if (meta.version !== 1 || meta.window !== this.opts.window || meta.hidden !== this.opts.hidden)
      return false;
    const weightData = weights.buffer.slice(
      weights.byteOffset,
      weights.byteOffset + weights.byteLength,
    ) as ArrayBuffer;
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs: model.weightSpecs, weightData }),
    );
    this.model.setWeights(loaded.getWeights());
    loaded.dispose();
    this.center = meta.center;
    this.scale = meta.scale;
    this.seen = meta.seen;
    Object.assign(this.training, meta.training, { status: meta.training.rounds > 0 ? 'ready' : 'untrained' });
    return true;
  }
}

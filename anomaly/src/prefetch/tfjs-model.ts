import * as tf from '@tensorflow/tfjs';
import { BoundedMap } from './bounded-map.js';
import type { AccessObservation, PrefetchModel, PrefetchPrediction } from './model.js';
import { formatOrderedKey, parseOrderedKey } from './numeric-key.js';
import { positiveInt } from './sequential.js';

export interface TfSequenceModelOptions {
  /** Tokens of context the network sees. Default 8. */
  window?: number;
  /** Vocabulary: the most frequent tokens of the training history (the rest share one "other" token). Default 128. */
  vocabulary?: number;
  /** Hidden units. Default 32. */
  hidden?: number;
  /** Largest key delta written as a delta token (ordered keys); farther moves are key tokens. Default 64. */
  reach?: number;
  /** Tokens kept for training (the most recent). Default 4,096. */
  history?: number;
  /**
   * First training after this many accesses, then whenever the model has seen as many again as when it was last
   * trained, at most every `retrainEvery`. Defaults 2,048 and 131,072.
   */
  firstTrainAfter?: number;
  retrainEvery?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Weight initialisation seed (reproducible replays). Default 7. */
  seed?: number;
  /** How far to follow the most likely path. Default 4. */
  lookahead?: number;
}

const defaults = {
  window: 8,
  vocabulary: 128,
  hidden: 32,
  reach: 64,
  history: 4096,
  firstTrainAfter: 2048,
  retrainEvery: 131_072,
  epochs: 2,
  batchSize: 64,
  learningRate: 0.01,
  seed: 7,
  lookahead: 4,
} satisfies Required<TfSequenceModelOptions>;

const OTHER = 0;

interface Distribution {
  tokens: number[];
  probs: number[];
}

/**
 * A TensorFlow.js next-token classifier over the access stream. Each access becomes a token: for an ordered key
 * within `reach` of the previous one, its delta ("+1", "-8"); otherwise the key itself. The network (one-hot of the
 * last `window` tokens -> dense ReLU -> softmax over the vocabulary; no embedding layer: its gradient has no WASM
 * kernel) is trained synchronously on the recent
 * history after `firstTrainAfter` accesses, then at doubling intervals up to `retrainEvery` (vocabulary re-chosen each time, so the
 * model is rebuilt), and predicts the next token; a delta token maps back to a key relative to the current one.
 * Predictions depend only on the context tokens, so they are memoised per context until the next training
 * (bounded), which keeps a replay of millions of accesses to a few thousand network calls.
 * Call `ensureTfBackend()` (or use createPrefetchModel) first.
 */
export class TfSequenceModel implements PrefetchModel {
  readonly name = 'tfjs' as const;
  private readonly o: Required<TfSequenceModelOptions>;
  private readonly history: string[];
  private historyNext = 0;
  private historyCount = 0;
  private readonly recent: string[] = [];
  private last: { prefix: string; n: number } | undefined = undefined;
  private lastKey: string | undefined = undefined;
  private seen = 0;
  private lastTrained = 0;
  private net: tf.LayersModel | undefined = undefined;
  private weights: { k1: Float32Array; b1: Float32Array; k2: Float32Array; b2: Float32Array } | undefined;
  private vocab = new Map<string, number>();
  private tokens: string[] = ['<other>'];
  private readonly memo = new BoundedMap<string, Distribution>(4096);
  /** Training rounds and the last loss, for reports. */
  rounds = 0;
  lastLoss = Number.NaN;
  trainingSeconds = 0;
  inferences = 0;

  constructor(options: TfSequenceModelOptions = {}) {
    this.o = { ...defaults, ...options };
    for (const k of ['window', 'vocabulary', 'hidden', 'reach', 'history', 'epochs', 'batchSize'] as const)
      positiveInt(this.o[k], `tfjs ${k}`);
    this.history = new Array<string>(this.o.history);
  }

  observe(o: AccessObservation): void {
    const token = this.tokenOf(o.key);
    this.history[this.historyNext] = token;
    this.historyNext = (this.historyNext + 1) % this.o.history;
    if (this.historyCount < this.o.history) this.historyCount++;
    this.recent.push(token);
    if (this.recent.length > this.o.window) this.recent.shift();
    this.lastKey = o.key;
    this.seen++;
    // Young models retrain as often as they have lived (2,048, 4,096, 8,192, ...), then every retrainEvery.
    const due =
      this.net === undefined
        ? this.o.firstTrainAfter
        : Math.min(this.o.retrainEvery, Math.max(this.lastTrained, 1));
    if (this.seen - this.lastTrained >= due) this.train();
  }

  private tokenOf(key: string): string {
    const k = parseOrderedKey(key);
    const last = this.last;
    this.last = k;
    if (k && last && k.prefix === last.prefix) {
      const d = k.n - last.n;
      if (d !== 0 && Math.abs(d) <= this.o.reach) return `\u0394${d}`;
    }
    return `k${key}`;
  }

  predict(limit: number): readonly PrefetchPrediction[] {
    if (this.net === undefined || limit < 1 || this.lastKey === undefined) return [];
    const out = new Map<string, number>();
    const context = this.recent.map((t) => this.vocab.get(t) ?? OTHER);
    let position = parseOrderedKey(this.lastKey);
    let pathConfidence = 1;
    const steps = Math.min(this.o.lookahead, limit);
    for (let step = 0; step < steps; step++) {
      const dist = this.distribution(context);
      if (dist.tokens.length === 0) break;
      if (step === 0) {
        for (let i = 0; i < dist.tokens.length; i++) {
          const key = this.keyOf(dist.tokens[i]!, position);
          if (key !== undefined && key !== this.lastKey) out.set(key, dist.probs[i]!);
        }
      }
      const top = dist.tokens[0]!;
      pathConfidence *= dist.probs[0]!;
      const key = this.keyOf(top, position);
      if (key === undefined) break;
      if (step > 0 && key !== this.lastKey && !out.has(key)) out.set(key, pathConfidence);
      position = parseOrderedKey(key);
      context.push(top);
      context.shift();
    }
    const preds: PrefetchPrediction[] = [];
    for (const [key, confidence] of out) preds.push({ key, confidence });
    preds.sort((a, b) => b.confidence - a.confidence);
    if (preds.length > limit) preds.length = limit;
    return preds;
  }

  private keyOf(token: number, position: { prefix: string; n: number } | undefined): string | undefined {
    if (token === OTHER) return undefined;
    const t = this.tokens[token]!;
    if (t.startsWith('k')) return t.slice(1);
    if (position === undefined) return undefined;
    const n = position.n + Number(t.slice(1));
    return n < 0 ? undefined : formatOrderedKey(position.prefix, n);
  }

  /** Top tokens (at most 4, "other" excluded) and their probabilities for a context, memoised until retraining. */
  private distribution(context: number[]): Distribution {
    const padded =
      context.length < this.o.window
        ? [...new Array(this.o.window - context.length).fill(OTHER), ...context]
        : context;
    const memoKey = padded.join(',');
    const hit = this.memo.get(memoKey);
    if (hit !== undefined) return hit;
    this.inferences++;
    const probs = this.forward(padded);
    const order = Array.from(probs.keys())
      .filter((i) => i !== OTHER)
      .sort((a, b) => probs[b]! - probs[a]!)
      .slice(0, 4);
    const dist = { tokens: order, probs: order.map((i) => probs[i]!) };
    this.memo.set(memoKey, dist);
    return dist;
  }

  /**
   * The network's forward pass in plain JS on the trained weights: with one-hot inputs the first layer is a sum of
   * `window` kernel rows, so a prediction is about window*hidden + hidden*vocabulary multiply-adds, far cheaper than
   * a TF.js call per access. Training stays in TF.js.
   */
  private forward(context: number[]): Float32Array {
    const w = this.weights!;
    const h = this.o.hidden;
    const v = this.tokens.length;
    const hidden = new Float32Array(h);
    hidden.set(w.b1);
    for (let j = 0; j < context.length; j++) {
      const row = (j * v + context[j]!) * h;
      for (let u = 0; u < h; u++) hidden[u]! += w.k1[row + u]!;
    }
    for (let u = 0; u < h; u++) if (hidden[u]! < 0) hidden[u] = 0;
    const out = new Float32Array(v);
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < v; c++) {
      let z = w.b2[c]!;
      for (let u = 0; u < h; u++) z += hidden[u]! * w.k2[u * v + c]!;
      out[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < v; c++) {
      out[c] = Math.exp(out[c]! - max);
      sum += out[c]!;
    }
    for (let c = 0; c < v; c++) out[c]! /= sum;
    return out;
  }

  private train(): void {
    const started = performance.now();
    this.lastTrained = this.seen;
    const n = this.historyCount;
    const start = (this.historyNext - n + this.o.history) % this.o.history;
    const seq: string[] = new Array(n);
    for (let i = 0; i < n; i++) seq[i] = this.history[(start + i) % this.o.history]!;
    // Vocabulary: the most frequent tokens of the history.
    const counts = new Map<string, number>();
    for (const t of seq) counts.set(t, (counts.get(t) ?? 0) + 1);
    const top = [...counts]
      .filter(([, c]) => c > 1)
      .sort((a, b) => b[1] - a[1])
      .slice(0, this.o.vocabulary - 1)
      .map(([t]) => t);
    this.tokens = ['<other>', ...top];
    this.vocab = new Map(top.map((t, i) => [t, i + 1]));
    const ids = seq.map((t) => this.vocab.get(t) ?? OTHER);
    const w = this.o.window;
    const samples = n - w;
    if (samples < this.o.batchSize) return;
    const xs = new Int32Array(samples * w);
    const ys = new Int32Array(samples);
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < w; j++) xs[i * w + j] = ids[i + j]!;
      ys[i] = ids[i + w]!;
    }
    this.net?.dispose();
    const v = this.tokens.length;
    const seed = this.o.seed + this.rounds;
    const net = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [w * v],
          units: this.o.hidden,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        }),
        tf.layers.dense({ units: v, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
      ],
    });
    const optimizer = tf.train.adam(this.o.learningRate);
    const x = tf.tidy(() => tf.oneHot(tf.tensor1d(xs, 'int32'), v).reshape([samples, w * v]));
    const y = tf.oneHot(tf.tensor1d(ys, 'int32'), v);
    const batch = this.o.batchSize;
    try {
      for (let epoch = 0; epoch < this.o.epochs; epoch++) {
        for (let b = 0; b + batch <= samples; b += batch) {
          const loss = optimizer.minimize(
            () =>
              tf.tidy(() =>
                tf.losses.softmaxCrossEntropy(
                  y.slice([b, 0], [batch, v]),
                  net.apply(x.slice([b, 0], [batch, w * v])) as tf.Tensor,
                ),
              ) as tf.Scalar,
            true,
          );
          if (loss) {
            this.lastLoss = loss.dataSync()[0]!;
            loss.dispose();
          }
        }
      }
    } finally {
      x.dispose();
      y.dispose();
      optimizer.dispose();
    }
    this.net = net;
    const [k1, b1, k2, b2] = net.getWeights().map((t) => t.dataSync() as Float32Array);
    this.weights = { k1: k1!, b1: b1!, k2: k2!, b2: b2! };
    this.memo.clear();
    this.rounds++;
    this.trainingSeconds += (performance.now() - started) / 1000;
  }

  dispose(): void {
    this.net?.dispose();
    this.net = undefined;
    this.memo.clear();
  }
}

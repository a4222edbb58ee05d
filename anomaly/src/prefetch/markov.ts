import { BoundedMap } from './bounded-map.js';
import type { AccessObservation, PrefetchModel, PrefetchPrediction } from './model.js';
import { formatOrderedKey, parseOrderedKey } from './numeric-key.js';
import { positiveInt } from './sequential.js';
import { Successors } from './successors.js';

export interface MarkovModelOptions {
  /** Longest context: the last `order` keys. Shorter contexts are used when a longer one has not been seen. Default 2. */
  order?: number;
  /** Contexts remembered (least recently used dropped first), per order. Default 65,536. */
  maxContexts?: number;
  /** Successors kept per context. Default 4. */
  successors?: number;
  /** Also learn transitions between key deltas (ordered keys only): strides and sequential runs. Default true. */
  deltas?: boolean;
  /** How far to follow the most likely path for multi-step predictions. Default 4. */
  lookahead?: number;
}

const SEP = '\u0000';

/**
 * Order-k Markov / frequency model of key transitions. For each context (the last 1..k keys) it counts which key came
 * next, in a bounded table of bounded successor lists; a prediction uses the longest context seen before
 * (prediction by partial match) and follows the most likely path `lookahead` steps. For ordered keys it also learns
 * transitions between deltas (the last k key differences -> the next difference), which generalises runs and strides
 * to keys never seen before. Confidence = a successor's share of its context's observations.
 */
export class MarkovModel implements PrefetchModel {
  readonly name = 'markov' as const;
  private readonly order: number;
  private readonly slots: number;
  private readonly lookahead: number;
  private readonly useDeltas: boolean;
  /** tables[i] holds contexts of i+1 keys. */
  private readonly tables: BoundedMap<string, Successors<string>>[];
  private readonly deltaTable: BoundedMap<string, Successors<number>>;
  private readonly recent: string[] = [];
  private readonly recentDeltas: number[] = [];
  private lastOrdered: { prefix: string; n: number } | undefined = undefined;

  constructor(options: MarkovModelOptions = {}) {
    this.order = positiveInt(options.order ?? 2, 'markov order');
    const maxContexts = positiveInt(options.maxContexts ?? 65_536, 'markov maxContexts');
    this.slots = positiveInt(options.successors ?? 4, 'markov successors');
    this.lookahead = positiveInt(options.lookahead ?? 4, 'markov lookahead');
    this.useDeltas = options.deltas ?? true;
    this.tables = Array.from({ length: this.order }, () => new BoundedMap(maxContexts));
    this.deltaTable = new BoundedMap(Math.min(maxContexts, 4096));
  }

  observe(o: AccessObservation): void {
    const key = o.key;
    const recent = this.recent;
    // Learn: each context of the previous keys was followed by `key`.
    for (let len = 1; len <= Math.min(this.order, recent.length); len++) {
      const ctx = contextOf(recent, len);
      const table = this.tables[len - 1]!;
      let s = table.get(ctx);
      if (!s) {
        s = new Successors<string>(this.slots);
        table.set(ctx, s);
      }
      s.add(key);
    }
    recent.push(key);
    if (recent.length > this.order) recent.shift();
    if (this.useDeltas) this.observeDelta(key);
  }

  private observeDelta(key: string): void {
    const k = parseOrderedKey(key);
    const last = this.lastOrdered;
    const deltas = this.recentDeltas;
    if (!k || !last || k.prefix !== last.prefix) {
      deltas.length = 0;
      this.lastOrdered = k;
      return;
    }
    const d = k.n - last.n;
    if (deltas.length > 0) {
      const ctx = deltas.join(',');
      let s = this.deltaTable.get(ctx);
      if (!s) {
        s = new Successors<number>(this.slots);
        this.deltaTable.set(ctx, s);
      }
      s.add(d);
    }
    deltas.push(d);
    if (deltas.length > this.order) deltas.shift();
    this.lastOrdered = k;
  }

  predict(limit: number): readonly PrefetchPrediction[] {
    if (limit < 1 || this.recent.length === 0) return [];
    const current = this.recent[this.recent.length - 1]!;
    const best = new Map<string, number>();
    const offer = (key: string, confidence: number) => {
      if (key === current) return;
      const c = best.get(key);
      if (c === undefined || confidence > c) best.set(key, confidence);
    };
    // Key transitions: all successors of the longest known context, then the most likely path onwards.
    const path = [...this.recent];
    let pathConfidence = 1;
    for (let step = 0; step < this.lookahead; step++) {
      const s = this.lookup(path);
      if (!s) break;
      if (step === 0) for (let i = 0; i < s.items.length; i++) offer(s.items[i]!, s.confidence(i));
      const b = s.best();
      pathConfidence *= s.confidence(b);
      const next = s.items[b]!;
      if (step > 0) offer(next, pathConfidence);
      path.push(next);
      if (path.length > this.order) path.shift();
    }
    if (this.useDeltas) this.predictDeltas(offer);
    const out = [...best].map(([key, confidence]) => ({ key, confidence }));
    out.sort((a, b) => b.confidence - a.confidence);
    if (out.length > limit) out.length = limit;
    return out;
  }

  private predictDeltas(offer: (key: string, confidence: number) => void): void {
    const last = this.lastOrdered;
    if (!last || this.recentDeltas.length === 0) return;
    const deltas = [...this.recentDeltas];
    let n = last.n;
    let confidence = 1;
    for (let step = 0; step < this.lookahead; step++) {
      const s = this.deltaTable.peek(deltas.join(','));
      if (!s) return;
      if (step === 0) {
        for (let i = 0; i < s.items.length; i++) {
          const target = n + s.items[i]!;
          if (target >= 0) offer(formatOrderedKey(last.prefix, target), s.confidence(i));
        }
      }
      const b = s.best();
      confidence *= s.confidence(b);
      n += s.items[b]!;
      if (n < 0) return;
      if (step > 0) offer(formatOrderedKey(last.prefix, n), confidence);
      deltas.push(s.items[b]!);
      if (deltas.length > this.order) deltas.shift();
    }
  }

  /** Successors of the longest suffix of `keys` that has been seen as a context. */
  private lookup(keys: readonly string[]): Successors<string> | undefined {
    for (let len = Math.min(this.order, keys.length); len >= 1; len--) {
      const s = this.tables[len - 1]!.peek(contextOf(keys, len));
      if (s && s.total > 0) return s;
    }
    return undefined;
  }

  dispose(): void {
    for (const t of this.tables) t.clear();
    this.deltaTable.clear();
  }
}

function contextOf(keys: readonly string[], len: number): string {
  if (len === 1) return keys[keys.length - 1]!;
  return keys.slice(keys.length - len).join(SEP);
}

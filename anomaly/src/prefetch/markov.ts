import { BoundedMap } from './bounded-map.js';
import type { AccessObservation, PrefetchModel, PrefetchPrediction } from './model.js';
import { formatOrderedKey, parseOrderedKey } from './numeric-key.js';
import { positiveInt } from './sequential.js';
import { StreamModel } from './streams.js';
import { Successors } from './successors.js';

export interface MarkovModelOptions {
  /** Longest context: the last `order` keys. Shorter contexts are used when a longer one has not been seen. Default 1. */
  order?: number;
  /** Contexts remembered per order (least recently used dropped first). Default 65,536. */
  maxContexts?: number;
  /** Successors kept per context. Default 4. */
  successors?: number;
  /** Learn how streams of ordered keys move (delta transitions); see StreamModel. Default true. */
  streams?: boolean;
  /** Streams tracked at once. Default 8. */
  maxStreams?: number;
  /** Largest forward key distance that continues a stream. Default 64. */
  reach?: number;
  /** How far to follow the most likely path for multi-step predictions. Default 4. */
  lookahead?: number;
  /** Sessions whose context (last `order` keys) is kept, least recently seen dropped first. Default 4,096. */
  maxSessions?: number;
}

const SEP = '\u0000';

/**
 * Order-k Markov / frequency model of key transitions. For each context (the last 1..k keys) it counts which key came
 * next, in a bounded table of bounded successor lists (Space-Saving); a prediction uses the longest context seen
 * before (prediction by partial match) and follows the most likely path `lookahead` steps. Confidence = a
 * successor's share of its context's observations. For ordered keys (numbers, `prefix:n`) a StreamModel also learns
 * delta transitions of interleaved streams, which carries the learned order to keys never seen before.
 */
export class MarkovModel implements PrefetchModel {
  readonly name = 'markov' as const;
  private readonly order: number;
  private readonly slots: number;
  private readonly lookahead: number;
  /** tables[i] holds contexts of i+1 keys. */
  private readonly tables: BoundedMap<string, Successors<string>>[];
  private readonly streams: StreamModel | undefined;
  /** The context of the session of the last observed access. */
  private recent: string[] = [];
  /** Contexts of the sessions seen (accesses without a session share the '' one). */
  private readonly sessions: BoundedMap<string, string[]>;

  constructor(options: MarkovModelOptions = {}) {
    this.order = positiveInt(options.order ?? 1, 'markov order');
    const maxContexts = positiveInt(options.maxContexts ?? 65_536, 'markov maxContexts');
    this.slots = positiveInt(options.successors ?? 4, 'markov successors');
    this.lookahead = positiveInt(options.lookahead ?? 4, 'markov lookahead');
    this.tables = Array.from({ length: this.order }, () => new BoundedMap(maxContexts));
    this.sessions = new BoundedMap(positiveInt(options.maxSessions ?? 4_096, 'markov maxSessions'));
    this.streams =
      (options.streams ?? true)
        ? new StreamModel(
            positiveInt(options.maxStreams ?? 8, 'markov maxStreams'),
            positiveInt(options.reach ?? 64, 'markov reach'),
            this.slots,
            4096,
          )
        : undefined;
  }

  observe(o: AccessObservation): void {
    const key = o.key;
    const session = o.session ?? '';
    let recent = this.sessions.get(session);
    if (recent === undefined) {
      recent = [];
      this.sessions.set(session, recent);
    }
    this.recent = recent;
    // Learn: each context of the previous keys was followed by `key`.
    const n = Math.min(recent.length, this.order);
    for (let len = 1; len <= n; len++) {
      const ctx = contextOf(recent, len);
      const table = this.tables[len - 1]!;
      let s = table.get(ctx);
      if (s === undefined) {
        s = new Successors<string>(this.slots);
        table.set(ctx, s);
      }
      s.add(key);
    }
    recent.push(key);
    if (recent.length > this.order) recent.shift();
    if (this.streams !== undefined) {
      const k = parseOrderedKey(key);
      if (k) this.streams.observe(k.prefix, k.n);
      else this.streams.interrupt();
    }
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
    let s = this.lookup(this.recent);
    if (s !== undefined) {
      for (let i = 0; i < s.items.length; i++) offer(s.items[i]!, s.confidence(i));
      const path = this.order > 1 ? this.recent.slice() : undefined;
      let confidence = 1;
      for (let step = 0; step < this.lookahead && s !== undefined; step++) {
        const b = s.best();
        confidence *= s.confidence(b);
        const next = s.items[b]!;
        if (step > 0) offer(next, confidence);
        if (path) {
          path.push(next);
          path.shift();
          s = this.lookup(path);
        } else s = this.tables[0]!.peek(next);
      }
    }
    this.streams?.predict(this.lookahead, (step) =>
      offer(formatOrderedKey(step.prefix, step.n), step.confidence),
    );
    const out: PrefetchPrediction[] = [];
    for (const [key, confidence] of best) out.push({ key, confidence });
    out.sort((a, b) => b.confidence - a.confidence);
    if (out.length > limit) out.length = limit;
    return out;
  }

  /** Successors of the longest suffix of `keys` that has been seen as a context. */
  private lookup(keys: readonly string[]): Successors<string> | undefined {
    for (let len = Math.min(this.order, keys.length); len >= 1; len--) {
      const s = this.tables[len - 1]!.peek(contextOf(keys, len));
      if (s !== undefined && s.total > 0) return s;
    }
    return undefined;
  }

  dispose(): void {
    for (const t of this.tables) t.clear();
    this.sessions.clear();
    this.streams?.clear();
  }
}

function contextOf(keys: readonly string[], len: number): string {
  if (len === 1) return keys[keys.length - 1]!;
  return keys.slice(keys.length - len).join(SEP);
}

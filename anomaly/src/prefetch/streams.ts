import { Successors } from './successors.js';

/** One tracked stream of ordered keys: where it is and how it last moved. */
interface Stream {
  prefix: string;
  head: number;
  lastDelta: number;
  /** Consecutive advances by lastDelta (the stream's own evidence for its stride). */
  repeats: number;
  lastUsed: number;
}

/** A predicted continuation of a stream: key number and confidence. */
export interface StreamStep {
  prefix: string;
  n: number;
  confidence: number;
}

/**
 * Interleaved streams of ordered keys and a learned model of how streams move. Up to `maxStreams` streams are tracked
 * (never-advanced streams replaced first, then the least recently used); an access at most `reach` ahead of a
 * stream's head advances that stream (streams move forward: an access behind every head starts a new stream). How a
 * stream moves next is learned as delta transitions (last delta -> next delta, bounded successor lists) with an
 * order-0 fallback (all deltas seen), so runs (+1 +1 ...), strides and interleaved runs are learned from the data,
 * not assumed. This is the stride/stream part of the Markov model; opaque keys never reach it.
 */
export class StreamModel {
  private readonly streams: Stream[] = [];
  private readonly transitions = new Map<number, Successors<number>>();
  private readonly anyDelta: Successors<number>;
  /** How a new stream moves first: observed once per new stream, counted when (if ever) it first advances. */
  private readonly firstMove: Successors<number>;
  private clock = 0;
  /** The stream the last access advanced or started. */
  private current: Stream | undefined = undefined;
  private advanced = false;

  constructor(
    private readonly maxStreams: number,
    private readonly reach: number,
    private readonly slots: number,
    private readonly maxContexts: number,
  ) {
    this.anyDelta = new Successors<number>(slots);
    this.firstMove = new Successors<number>(slots);
  }

  observe(prefix: string, n: number): void {
    this.clock++;
    let best: Stream | undefined;
    let bestDistance = this.reach + 1;
    for (const s of this.streams) {
      if (s.prefix !== prefix) continue;
      const d = n - s.head;
      if (d === 0) {
        // Re-reading a stream's head does not move it.
        best = s;
        bestDistance = 0;
        break;
      }
      if (d > 0 && d < bestDistance) {
        best = s;
        bestDistance = d;
      }
    }
    if (best !== undefined && bestDistance === 0) {
      best.lastUsed = this.clock;
      this.current = best;
      this.advanced = false;
      return;
    }
    if (best !== undefined) {
      const delta = n - best.head;
      if (best.lastDelta !== 0) this.transitionsOf(best.lastDelta)?.add(delta);
      else this.firstMove.count(delta);
      this.anyDelta.add(delta);
      best.repeats = delta === best.lastDelta ? best.repeats + 1 : 0;
      best.head = n;
      best.lastDelta = delta;
      best.lastUsed = this.clock;
      this.current = best;
      this.advanced = true;
      return;
    }
    const fresh: Stream = { prefix, head: n, lastDelta: 0, repeats: 0, lastUsed: this.clock };
    this.firstMove.observe();
    if (this.streams.length < this.maxStreams) this.streams.push(fresh);
    else this.streams[this.victim()] = fresh;
    this.current = fresh;
    this.advanced = false;
  }

  /** Forget the current stream position (the last access was not an ordered key). */
  interrupt(): void {
    this.current = undefined;
  }

  /**
   * The likely continuations of the current stream, `lookahead` steps along the most likely deltas; the first step
   * also offers the other learned deltas.
   */
  predict(lookahead: number, offer: (step: StreamStep) => void): void {
    const s = this.current;
    if (s === undefined) return;
    let last = this.advanced ? s.lastDelta : 0;
    if (last !== 0 && s.repeats > 0) {
      // The stream's own stride, trusted by how often it repeated: (r+1)/(r+2) per step.
      const p = (s.repeats + 1) / (s.repeats + 2);
      let c = 1;
      for (let step = 1; step <= lookahead; step++) {
        c *= p;
        const target = s.head + step * last;
        if (target < 0) break;
        offer({ prefix: s.prefix, n: target, confidence: c });
      }
    }
    let n = s.head;
    let confidence = 1;
    for (let step = 0; step < lookahead; step++) {
      const t = last === 0 ? this.firstMove : (this.transitions.get(last) ?? this.anyDelta);
      if (t.total === 0) return;
      if (step === 0) {
        for (let i = 0; i < t.items.length; i++) {
          const target = n + t.items[i]!;
          if (target >= 0) offer({ prefix: s.prefix, n: target, confidence: t.confidence(i) });
        }
      }
      const b = t.best();
      confidence *= t.confidence(b);
      last = t.items[b]!;
      n += last;
      if (n < 0) return;
      if (step > 0) offer({ prefix: s.prefix, n, confidence });
    }
  }

  /** The least recently used stream that never moved, else the least recently used one: proven streams stay. */
  private victim(): number {
    let victim = -1;
    let oldest = -1;
    for (let i = 0; i < this.streams.length; i++) {
      const s = this.streams[i]!;
      if (oldest < 0 || s.lastUsed < this.streams[oldest]!.lastUsed) oldest = i;
      if (s.lastDelta === 0 && (victim < 0 || s.lastUsed < this.streams[victim]!.lastUsed)) victim = i;
    }
    return victim >= 0 ? victim : oldest;
  }

  clear(): void {
    this.streams.length = 0;
    this.transitions.clear();
    this.current = undefined;
  }

  private transitionsOf(delta: number): Successors<number> | undefined {
    let t = this.transitions.get(delta);
    if (t === undefined) {
      // |delta| <= reach, so at most 2 * reach contexts exist; maxContexts caps it anyway.
      if (this.transitions.size >= this.maxContexts) return undefined;
      t = new Successors<number>(this.slots);
      this.transitions.set(delta, t);
    }
    return t;
  }
}

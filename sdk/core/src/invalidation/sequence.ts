/**
 * Per-origin sequence tracking: applies each message once and detects lost ones. Every origin numbers its
 * messages 1, 2, 3, ...; a receiver remembers the highest number seen and the numbers still missing below it.
 * On an ordered transport (Redis pub/sub) a missing number is a gap at once; on a transport that may reorder
 * (Kafka partitions) a missing number becomes a gap when it has not arrived within the reorder window.
 * Bounded: at most `maxOrigins` origins (least recently heard dropped first) and `maxMissing` missing numbers
 * per origin (more is reported as a gap at once).
 */

export type SequenceVerdict = 'apply' | 'duplicate';

export interface SequenceGap {
  origin: string;
  /** Messages known lost. */
  missing: number;
}

interface OriginState {
  highest: number;
  /** Missing sequence number -> deadline (ms) after which it counts as lost. */
  missing: Map<number, number>;
  /** The first number heard from this origin: lower ones predate this receiver, or were overtaken. */
  floor: number;
  /** Until when (ms) numbers below the floor may still arrive late (reordering) and are applied once. */
  earlyUntil: number;
  /** Numbers below the floor already applied (reordered transports only). */
  early: Set<number> | undefined;
}

export interface SequenceTrackerOptions {
  /** 0 for ordered transports: a hole is a gap immediately. */
  reorderWindowMs: number;
  maxOrigins?: number;
  maxMissing?: number;
  now?: () => number;
}

export class SequenceTracker {
  readonly #origins = new Map<string, OriginState>();
  readonly #window: number;
  readonly #maxOrigins: number;
  readonly #maxMissing: number;
  readonly #now: () => number;

  constructor(options: SequenceTrackerOptions) {
    this.#window = options.reorderWindowMs;
    this.#maxOrigins = options.maxOrigins ?? 1024;
    this.#maxMissing = options.maxMissing ?? 1024;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A message `seq` from `origin` arrived. `first`: the first time this origin is heard of, its earlier
   * messages predate this receiver and are not counted as lost. Gaps found are pushed onto `gaps`.
   */
  observe(origin: string, seq: number, gaps: SequenceGap[]): SequenceVerdict {
    const s = this.#state(origin, seq - 1);
    if (seq <= s.highest) {
      if (s.missing.delete(seq)) return 'apply';
      if (seq < s.floor && this.#window > 0 && this.#now() < s.earlyUntil) {
        // Overtaken by the first message we heard from this origin (a reordering transport): not a duplicate.
        s.early ??= new Set();
        if (s.early.has(seq) || s.early.size >= this.#maxMissing) return 'duplicate';
        s.early.add(seq);
        return 'apply';
      }
      return 'duplicate';
    }
    this.#advance(origin, s, seq - 1, gaps);
    s.highest = seq;
    return 'apply';
  }

  /** A heartbeat: the origin has used every number up to `lastSeq`. */
  heartbeat(origin: string, lastSeq: number, gaps: SequenceGap[]): void {
    const s = this.#state(origin, lastSeq);
    if (lastSeq <= s.highest) return;
    this.#advance(origin, s, lastSeq, gaps);
    s.highest = lastSeq;
  }

  /** Missing numbers whose reorder window has passed become gaps. */
  expire(gaps: SequenceGap[]): void {
    const now = this.#now();
    for (const [origin, s] of this.#origins) {
      let lost = 0;
      for (const [seq, deadline] of s.missing) {
        if (deadline > now) continue;
        s.missing.delete(seq);
        lost++;
      }
      if (lost > 0) gaps.push({ origin, missing: lost });
    }
  }

  /** Whether some missing number is waiting for its reorder window. */
  get pending(): boolean {
    for (const s of this.#origins.values()) if (s.missing.size > 0) return true;
    return false;
  }

  /** Forgets an origin (it said goodbye). */
  forget(origin: string): void {
    this.#origins.delete(origin);
  }

  get origins(): number {
    return this.#origins.size;
  }

  #state(origin: string, baseline: number): OriginState {
    let s = this.#origins.get(origin);
    if (s === undefined) {
      if (this.#origins.size >= this.#maxOrigins) {
        const oldest = this.#origins.keys().next().value;
        if (oldest !== undefined) this.#origins.delete(oldest);
      }
      s = {
        highest: baseline,
        missing: new Map(),
        floor: baseline + 1,
        earlyUntil: this.#now() + this.#window,
        early: undefined,
      };
      this.#origins.set(origin, s);
    } else {
      // Keep recently heard origins at the end (eviction takes the least recently heard).
      this.#origins.delete(origin);
      this.#origins.set(origin, s);
    }
    return s;
  }

  /** Numbers highest+1 .. upTo did not arrive (yet). */
  #advance(origin: string, s: OriginState, upTo: number, gaps: SequenceGap[]): void {
    const holes = upTo - s.highest;
    if (holes <= 0) return;
    if (this.#window === 0 || holes + s.missing.size > this.#maxMissing) {
      gaps.push({ origin, missing: holes });
      return;
    }
    const deadline = this.#now() + this.#window;
    for (let n = s.highest + 1; n <= upTo; n++) s.missing.set(n, deadline);
  }
}

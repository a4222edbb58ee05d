import type { PrefetchClass } from './ledger.js';

interface Shadowed {
  /** Time by which a demand read makes the hint "would have been used". */
  until: number;
  cls: PrefetchClass;
  used: boolean;
}

/**
 * Hints the executor did not act on because their class was off or out of allowance, scored as if they had been
 * prefetched: a hinted key read by demand before the hint's deadline would have been used, else wasted. Outcomes
 * are reported in the order the hints came (a right hint is known at its read, a wrong one only at its deadline:
 * reporting in order keeps the quick right ones from flattering the precision). Bounded: when full, new hints are
 * not scored (skipping new ones, rather than dropping old ones, keeps the sample unbiased); a key already waiting
 * is not scored twice.
 */
export class ShadowScores {
  readonly #entries = new Map<string, Shadowed>();

  constructor(
    readonly maxSize: number,
    private readonly outcome: (cls: PrefetchClass, used: boolean) => void,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  add(l1Key: string, until: number, cls: PrefetchClass): void {
    const entries = this.#entries;
    if (entries.size >= this.maxSize || entries.has(l1Key)) return;
    entries.set(l1Key, { until, cls, used: false });
  }

  /** A demand access of `l1Key` at `now`. */
  read(l1Key: string, now: number): void {
    const e = this.#entries.get(l1Key);
    if (e !== undefined && !e.used && now <= e.until) e.used = true;
    this.settle(now);
  }

  /** Reports the oldest hints whose outcome is known (read in time, or past their deadline), in order. */
  settle(now: number): void {
    for (const [key, e] of this.#entries) {
      if (!e.used && now <= e.until) return;
      this.#entries.delete(key);
      this.outcome(e.cls, e.used);
    }
  }
}

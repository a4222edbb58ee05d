import type { PrefetchMarks } from '../tiers/memory/memory-tier.js';

/** Settlements an evidence window spans (exponential decay): the backoff looks at about this many recent ones. */
const WINDOW = 50;
const DECAY = 1 - 1 / WINDOW;
/** Settlements needed before the wasted fraction is trusted. */
const MIN_EVIDENCE = 10;
/** Deepest backoff: 1/64 of the rate (the loop keeps probing so it can recover). */
const MAX_LEVEL = 6;
/** At most one backoff step per this many ms. */
const STEP_MS = 1_000;

/**
 * Accounting of prefetched L1 entries: each one is pending until its first demand read (used) or until it
 * leaves L1 / is overwritten / outlives `usedWithinMs` unread (wasted). Drives the backoff: while the recent
 * wasted fraction is over the budget, each step halves the executor's rate and raises its confidence bar.
 * Bounded by the executor (it does not prefetch while `pending` is full).
 */
export class PrefetchLedger implements PrefetchMarks {
  /** L1 key -> time by which it must be read to count as used. */
  readonly pending = new Map<string, number>();
  usedCount = 0;
  wastedCount = 0;
  /** Backoff level: 0 (none) .. MAX_LEVEL. */
  level = 0;
  #recentUsed = 0;
  #recentWasted = 0;
  #lastStep = 0;
  #settled = 0;

  constructor(
    private readonly budget: number,
    private readonly usedWithinMs: number,
  ) {}

  /** Fraction of the configured rate the executor may use now (1, 1/2, 1/4, ...). */
  get factor(): number {
    return 1 / 2 ** this.level;
  }

  /** The recent wasted fraction (0 with no evidence yet). */
  get recentWasteFraction(): number {
    const n = this.#recentUsed + this.#recentWasted;
    return n === 0 ? 0 : this.#recentWasted / n;
  }

  /** A prefetched entry landed; it must be read by its hint's deadline (at most usedWithinMs from now). */
  mark(l1Key: string, now: number, deadline: number): void {
    this.pending.set(l1Key, Math.min(now + this.usedWithinMs, Math.max(now, deadline)));
  }

  used(l1Key: string): void {
    const until = this.pending.get(l1Key);
    this.pending.delete(l1Key);
    if (until !== undefined && Date.now() > until) this.settle(false);
    else this.settle(true);
  }

  lost(l1Key: string): void {
    this.pending.delete(l1Key);
    this.settle(false);
  }

  /** Pending entries past their window count as wasted (their L1 entries stay). */
  sweep(now: number): void {
    for (const [key, until] of this.pending) {
      if (now <= until) continue;
      this.pending.delete(key);
      this.settle(false);
    }
  }

  private settle(used: boolean): void {
    if (used) this.usedCount++;
    else this.wastedCount++;
    this.#recentUsed = this.#recentUsed * DECAY + (used ? 1 : 0);
    this.#recentWasted = this.#recentWasted * DECAY + (used ? 0 : 1);
    this.#settled++;
    const now = Date.now();
    if (this.#settled < MIN_EVIDENCE || now - this.#lastStep < STEP_MS) return;
    const over = this.recentWasteFraction > this.budget;
    if (over && this.level < MAX_LEVEL) {
      this.level++;
      this.#lastStep = now;
    } else if (!over && this.level > 0) {
      this.level--;
      this.#lastStep = now;
    }
  }
}

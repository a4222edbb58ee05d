import type { PrefetchMarks } from '../tiers/memory/memory-tier.js';

/** Settlements an evidence window spans (exponential decay): the backoff looks at about this many recent ones. */
const WINDOW = 50;
const DECAY = 1 - 1 / WINDOW;
/** Settlements of a class needed before its wasted fraction is trusted. */
const MIN_EVIDENCE = 10;
/** Deepest backoff: 1/64 of the rate (the loop keeps probing so it can recover). */
const MAX_LEVEL = 6;
/** At most one backoff step per class per this many ms. */
const STEP_MS = 1_000;

/**
 * One class of prefetches (those of one registered loader pattern, or those served by remote tiers): its recent
 * used / wasted evidence and its backoff level. Hints of a pattern that keeps being wrong back off without
 * holding back the patterns that are right.
 */
export class PrefetchClass {
  /** Backoff level: 0 (none) .. MAX_LEVEL. */
  level = 0;
  recentUsed = 0;
  recentWasted = 0;
  settled = 0;
  lastStep = 0;

  /** Share of the configured rate this class may use now (1, 1/2, 1/4, ...). */
  get factor(): number {
    return 1 / 2 ** this.level;
  }
}

interface Pending {
  /** Time by which the entry must be read to count as used. */
  until: number;
  cls: PrefetchClass;
}

/**
 * Accounting of prefetched L1 entries: each one is pending until its first demand read (used) or until it leaves
 * L1, is overwritten, or is still unread at its deadline (wasted). Drives the backoff per class: while a class's
 * recent wasted fraction is over the budget, each step halves its rate and raises its confidence bar; below the
 * budget it recovers step by step. Bounded: the executor does not prefetch while `pending` is full, and classes
 * are at most the registered patterns plus one.
 */
export class PrefetchLedger implements PrefetchMarks {
  readonly pending = new Map<string, Pending>();
  usedCount = 0;
  wastedCount = 0;
  readonly #classes = new Map<unknown, PrefetchClass>();

  constructor(
    private readonly budget: number,
    private readonly usedWithinMs: number,
  ) {}

  /** The class of prefetches keyed by `id` (a registered loader, or undefined for remote-tier prefetches). */
  classOf(id: unknown): PrefetchClass {
    let c = this.#classes.get(id);
    if (c === undefined) {
      c = new PrefetchClass();
      this.#classes.set(id, c);
    }
    return c;
  }

  /** The smallest rate share over the classes (1: nobody backs off). */
  get factor(): number {
    let f = 1;
    for (const c of this.#classes.values()) f = Math.min(f, c.factor);
    return f;
  }

  /** A prefetched entry landed; it must be read by its hint's deadline (at most usedWithinMs from now). */
  mark(l1Key: string, now: number, deadline: number, cls: PrefetchClass): void {
    this.pending.set(l1Key, { until: Math.min(now + this.usedWithinMs, Math.max(now, deadline)), cls });
  }

  used(l1Key: string): void {
    const p = this.pending.get(l1Key);
    if (p === undefined) return;
    this.pending.delete(l1Key);
    this.settle(p.cls, Date.now() <= p.until);
  }

  lost(l1Key: string): void {
    const p = this.pending.get(l1Key);
    if (p === undefined) return;
    this.pending.delete(l1Key);
    this.settle(p.cls, false);
  }

  /** Pending entries past their deadline count as wasted (their L1 entries stay). */
  sweep(now: number): void {
    for (const [key, p] of this.pending) {
      if (now <= p.until) continue;
      this.pending.delete(key);
      this.settle(p.cls, false);
    }
  }

  private settle(c: PrefetchClass, used: boolean): void {
    if (used) this.usedCount++;
    else this.wastedCount++;
    c.recentUsed = c.recentUsed * DECAY + (used ? 1 : 0);
    c.recentWasted = c.recentWasted * DECAY + (used ? 0 : 1);
    c.settled++;
    const now = Date.now();
    if (c.settled < MIN_EVIDENCE || now - c.lastStep < STEP_MS) return;
    const over = c.recentWasted / (c.recentUsed + c.recentWasted) > this.budget;
    if (over && c.level < MAX_LEVEL) {
      c.level++;
      c.lastStep = now;
    } else if (!over && c.level > 0) {
      c.level--;
      c.lastStep = now;
    }
  }
}

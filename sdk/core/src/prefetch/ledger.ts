import type { EvictionReason } from '../events.js';
import type { PrefetchMarks } from '../tiers/memory/memory-tier.js';

/** Settlements an evidence window spans (exponential decay): the budget looks at about this many recent ones. */
const WINDOW = 50;
const DECAY = 1 - 1 / WINDOW;
/** Settlements of a class needed before its recent wasted fraction can switch it off. */
const MIN_EVIDENCE = 10;
/**
 * The probe allowance: how many prefetches of a class may end wasted beyond its budget (per period of issuing,
 * i.e. since it started or last resumed). A class issues a prefetch only while, counting every open one as
 * wasted, `wasted - wasteBudget * (used + wasted) <= PROBE_ALLOWANCE`; so its wasted prefetches stay within
 * `wasteBudget * settled + PROBE_ALLOWANCE`.
 */
export const PROBE_ALLOWANCE = 4;
/** Shadow outcomes per resume decision. */
export const SHADOW_WINDOW = 32;

/**
 * One class of prefetches (those of one registered loader pattern, or those served by remote tiers): its recent
 * used / wasted evidence, its open prefetches, and whether it is off. Hints of a pattern that keeps being wrong
 * stop without holding back the patterns that are right.
 */
export class PrefetchClass {
  /** Issuing nothing: its hints are scored in shadow until they would be right again. */
  off = false;
  /** Decayed over about the last WINDOW settlements: what the off rule looks at. */
  recentUsed = 0;
  recentWasted = 0;
  /** Exact counts since the class started or last resumed: what the allowance looks at. */
  used = 0;
  wasted = 0;
  /** Prefetch loads running now (the executor counts them). */
  running = 0;
  /** Landed prefetched entries not settled yet. */
  pending = 0;
  /** Outcomes of hints scored in shadow while off, since the last resume decision. */
  shadowUsed = 0;
  shadowWasted = 0;
  /** Times the class was switched off / resumed. */
  stops = 0;
  resumes = 0;

  /** Share of the configured rate this class may use now: 1, or 0 while off. */
  get factor(): number {
    return this.off ? 0 : 1;
  }
}

interface Pending {
  /** When it landed. */
  at: number;
  /** Time by which the entry must be read to count as used. */
  until: number;
  cls: PrefetchClass;
}

/**
 * Accounting of prefetched L1 entries: each one is pending until its first demand read (used) or until it leaves
 * L1, is overwritten, or is still unread at its deadline (wasted). Keeps each class's wasted fraction within the
 * budget (the rule of the anomaly service's PrefetchBudget, per class):
 * - a class issues only while its wasted prefetches since it started or last resumed, open ones counted as
 *   wasted, stay within `budget * settled + PROBE_ALLOWANCE` (`admits`): over a class's life, wasted
 *   <= budget * settled + PROBE_ALLOWANCE * (1 + resumes);
 * - when its recent wasted fraction is over the budget, or it is out of allowance with nothing open that could
 *   earn more, it goes off: it issues nothing, and the executor scores the hints it did not act on in shadow
 *   (a hinted key read by demand before the hint's deadline would have been used);
 * - it resumes, with a fresh allowance, once a window of SHADOW_WINDOW shadow outcomes is within the budget.
 * Bounded: the executor does not prefetch while `pending` is full, and classes are at most the registered
 * patterns plus one.
 */
export class PrefetchLedger implements PrefetchMarks {
  readonly pending = new Map<string, Pending>();
  usedCount = 0;
  wastedCount = 0;
  shadowUsedCount = 0;
  shadowWastedCount = 0;
  /** Moving average of how long unread prefetched entries stayed in L1 before capacity evicted them (ms). */
  residenceMs: number | undefined = undefined;
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

  /** The smallest rate share over the classes (1: all issue; 0: some class is off). */
  get factor(): number {
    let f = 1;
    for (const c of this.#classes.values()) f = Math.min(f, c.factor);
    return f;
  }

  /**
   * May `c` issue one more prefetch? Counting it and every open one as wasted, its wasted prefetches must stay
   * within the budget plus the probe allowance. Out of allowance with nothing open, it goes off.
   */
  admits(c: PrefetchClass): boolean {
    if (c.off) return false;
    if (this.#allows(c)) return true;
    if (c.running + c.pending === 0) this.#stop(c);
    return false;
  }

  #allows(c: PrefetchClass): boolean {
    const wasted = c.wasted + c.running + c.pending + 1;
    return wasted - this.budget * (c.used + wasted) <= PROBE_ALLOWANCE;
  }

  /** How long a prefetch (or a shadow-scored hint) taken now has to be read to count as used. */
  until(now: number, deadline: number): number {
    return Math.min(now + this.usedWithinMs, Math.max(now, deadline));
  }

  /** A prefetched entry landed; it must be read by its hint's deadline (at most usedWithinMs from now). */
  mark(l1Key: string, now: number, deadline: number, cls: PrefetchClass): void {
    const old = this.pending.get(l1Key);
    if (old !== undefined) {
      this.pending.delete(l1Key);
      this.settle(old.cls, false);
    }
    cls.pending++;
    this.pending.set(l1Key, { at: now, until: this.until(now, deadline), cls });
  }

  used(l1Key: string): void {
    const p = this.pending.get(l1Key);
    if (p === undefined) return;
    this.pending.delete(l1Key);
    this.settle(p.cls, Date.now() <= p.until);
  }

  lost(l1Key: string, reason?: EvictionReason | 'overwritten'): void {
    const p = this.pending.get(l1Key);
    if (p === undefined) return;
    this.pending.delete(l1Key);
    if (reason === 'capacity') {
      const age = Date.now() - p.at;
      this.residenceMs =
        this.residenceMs === undefined ? age : this.residenceMs + (age - this.residenceMs) / 16;
    }
    this.settle(p.cls, false);
  }

  /**
   * How long a shadow-scored hint taken now has to be read to count as would-have-been used: by its deadline, and
   * while a prefetched entry would still have been in L1 (how long unread prefetched entries lasted before L1
   * evicted them, a moving average; a shadow score would otherwise count reads a real prefetch never lives to see).
   */
  shadowUntil(now: number, deadline: number): number {
    const until = this.until(now, deadline);
    return this.residenceMs === undefined ? until : Math.min(until, now + this.residenceMs);
  }

  /** Pending entries past their deadline count as wasted (their L1 entries stay). */
  sweep(now: number): void {
    for (const [key, p] of this.pending) {
      if (now <= p.until) continue;
      this.pending.delete(key);
      this.settle(p.cls, false);
    }
  }

  /** A hint scored in shadow settled: it would have been used or wasted. Only counts while its class is off. */
  shadowOutcome(c: PrefetchClass, used: boolean): void {
    if (used) this.shadowUsedCount++;
    else this.shadowWastedCount++;
    if (!c.off) return;
    if (used) c.shadowUsed++;
    else c.shadowWasted++;
    const n = c.shadowUsed + c.shadowWasted;
    if (n < SHADOW_WINDOW) return;
    const within = c.shadowWasted / n <= this.budget;
    c.shadowUsed = 0;
    c.shadowWasted = 0;
    if (!within) return;
    c.off = false;
    c.resumes++;
    c.recentUsed = 0;
    c.recentWasted = 0;
    c.used = 0;
    c.wasted = 0;
  }

  private settle(c: PrefetchClass, used: boolean): void {
    if (used) this.usedCount++;
    else this.wastedCount++;
    c.pending--;
    c.recentUsed = c.recentUsed * DECAY + (used ? 1 : 0);
    c.recentWasted = c.recentWasted * DECAY + (used ? 0 : 1);
    if (used) c.used++;
    else c.wasted++;
    if (c.off) return;
    const over =
      c.used + c.wasted >= MIN_EVIDENCE && c.recentWasted / (c.recentUsed + c.recentWasted) > this.budget;
    // Over the budget, or out of allowance with nothing open that could earn more: off.
    if (over || (c.running + c.pending === 0 && !this.#allows(c))) this.#stop(c);
  }

  #stop(c: PrefetchClass): void {
    c.off = true;
    c.stops++;
    c.shadowUsed = 0;
    c.shadowWasted = 0;
  }
}

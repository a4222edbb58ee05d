import { positiveInt } from './sequential.js';

export interface PrefetchBudgetOptions {
  /** Most prefetches per access (the degree) the budget ever allows. Default 4. */
  maxDegree?: number;
  /** Precision (used / (used + wasted)) below which the degree halves. Default 0.5. */
  targetPrecision?: number;
  /** Precision at or above which the degree grows by one. Default halfway between the target and 1. */
  growPrecision?: number;
  /** Outcomes per decision. Default 64. */
  window?: number;
  /** Degree to start with. Default 1. */
  initialDegree?: number;
}

/**
 * The prefetch executor's feedback loop: how many prefetches per access to issue, adapted from how many issued
 * prefetches were used (demanded while resident) or wasted (evicted or expired unused). Every `window` outcomes:
 * precision below the target halves the degree (down to 0: prefetching stops), precision at or above `growPrecision`
 * adds one (up to maxDegree). At degree 0 nothing is issued; the executor keeps scoring the model's predictions in
 * shadow (would the key have been demanded soon?) and the budget resumes at degree 1 once the shadow precision reaches
 * the target. Where the access order is not learnable, prefetching thus stops after one window of waste.
 */
export class PrefetchBudget {
  readonly maxDegree: number;
  readonly targetPrecision: number;
  readonly growPrecision: number;
  readonly window: number;
  private current: number;
  private used = 0;
  private wasted = 0;
  private shadowUsed = 0;
  private shadowWasted = 0;
  /** Decisions that lowered / raised the degree (for reports). */
  backoffs = 0;
  resumes = 0;

  constructor(options: PrefetchBudgetOptions = {}) {
    this.maxDegree = positiveInt(options.maxDegree ?? 4, 'maxDegree');
    this.targetPrecision = fraction(options.targetPrecision ?? 0.5, 'targetPrecision');
    this.growPrecision = fraction(options.growPrecision ?? (1 + this.targetPrecision) / 2, 'growPrecision');
    this.window = positiveInt(options.window ?? 64, 'window');
    this.current = Math.min(this.maxDegree, options.initialDegree ?? 1);
    if (!Number.isSafeInteger(this.current) || this.current < 0) {
      throw new RangeError(`initialDegree must be a non-negative integer, got ${options.initialDegree}`);
    }
  }

  /** Prefetches to issue after the current access (0: only shadow-score predictions). */
  get degree(): number {
    return this.current;
  }

  /** Outcomes of issued prefetches since the last call. */
  outcome(used: number, wasted: number): void {
    this.used += used;
    this.wasted += wasted;
    if (this.used + this.wasted < this.window) return;
    const precision = this.used / (this.used + this.wasted);
    this.used = 0;
    this.wasted = 0;
    if (precision < this.targetPrecision) {
      if (this.current > 0) this.backoffs++;
      this.current = Math.floor(this.current / 2);
    } else if (precision >= this.growPrecision && this.current > 0) {
      this.current = Math.min(this.maxDegree, this.current + 1);
    }
  }

  /** Outcomes of predictions scored in shadow (not issued) while the degree is 0. */
  shadowOutcome(used: number, wasted: number): void {
    if (this.current > 0) return;
    this.shadowUsed += used;
    this.shadowWasted += wasted;
    if (this.shadowUsed + this.shadowWasted < this.window) return;
    const precision = this.shadowUsed / (this.shadowUsed + this.shadowWasted);
    this.shadowUsed = 0;
    this.shadowWasted = 0;
    if (precision >= this.targetPrecision) {
      this.current = 1;
      this.resumes++;
      this.used = 0;
      this.wasted = 0;
    }
  }
}

function fraction(v: number, what: string): number {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${v}`);
  return v;
}

export interface AlertPolicy {
  readonly fireAt: number;
  readonly resolveBelow: number;
  readonly fireAfter: number;
  readonly resolveAfter: number;
}

export type AlertTransition = 'fire' | 'resolve' | null;

/**
 * Alert state of one series with hysteresis, so it does not flap: it fires after `fireAfter` consecutive
 * evaluations scoring >= fireAt, and resolves only after `resolveAfter` consecutive evaluations scoring
 * < resolveBelow (scores in between hold the current state).
 */
export class AlertState {
  firing = false;
  /** When the current (or last) alert started, epoch ms. */
  startsAt = 0;
  /** Highest score while firing (for the annotation). */
  peak = 0;
  private anomalous = 0;
  private recovered = 0;

  constructor(private readonly policy: AlertPolicy) {}

  /**
   * One evaluation. `countable` is false for a point that must not count towards firing (it follows a gap, or its
   * change is too small to matter): it may hold or resolve an alert but never starts one.
   */
  observe(score: number, time: number, countable = true): AlertTransition {
    const p = this.policy;
    if (score >= p.fireAt && countable) {
      this.anomalous++;
      this.recovered = 0;
    } else if (score < p.resolveBelow) {
      this.recovered++;
      this.anomalous = 0;
    } else {
      this.anomalous = 0;
      this.recovered = 0;
    }
    if (this.firing) this.peak = Math.max(this.peak, score);
    if (!this.firing && this.anomalous >= p.fireAfter) {
      this.firing = true;
      this.startsAt = time;
      this.peak = score;
      return 'fire';
    }
    if (this.firing && this.recovered >= p.resolveAfter) {
      this.firing = false;
      return 'resolve';
    }
    return null;
  }

  /** Ends a firing alert now (the series disappeared). */
  forceResolve(): boolean {
    const was = this.firing;
    this.firing = false;
    this.anomalous = 0;
    this.recovered = 0;
    return was;
  }
}

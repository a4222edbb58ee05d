import type { Detector } from './detector.js';
import { EwStats } from './ew-stats.js';

export interface CusumOptions {
  /** Slack, in std units: drifts smaller than this are not accumulated. */
  k?: number;
  /** Decision interval, in std units: a sum above it is a change point (the sums then restart). */
  h?: number;
  /** Smoothing of the reference mean/std (slow, so a shift is not absorbed before it is detected). */
  alpha?: number;
  minHistory?: number;
}

/**
 * Two-sided CUSUM change-point detector on standardised values. The statistic is max(S+, S-) / h (>= 1 at a change
 * point); after a change point the sums restart and the reference re-centres on the new level.
 */
export class CusumDetector implements Detector {
  readonly name = 'cusum';
  private readonly k: number;
  private readonly h: number;
  private readonly minHistory: number;
  private ref: EwStats;
  private readonly alpha: number;
  private hi = 0;
  private lo = 0;
  /** Change points seen so far. */
  changePoints = 0;

  constructor(opts: CusumOptions = {}) {
    this.k = opts.k ?? 0.5;
    this.h = opts.h ?? 8;
    this.alpha = opts.alpha ?? 0.01;
    this.minHistory = opts.minHistory ?? 30;
    this.ref = new EwStats(this.alpha);
  }

  update(value: number): number {
    const r = this.ref;
    let stat = Number.NaN;
    if (r.n >= this.minHistory) {
      const sd = r.std || Math.max(Math.abs(r.mean) * 1e-3, 1e-9);
      const z = (value - r.mean) / sd;
      this.hi = Math.max(0, this.hi + z - this.k);
      this.lo = Math.max(0, this.lo - z - this.k);
      stat = Math.max(this.hi, this.lo) / this.h;
      if (stat >= 1) {
        this.changePoints++;
        this.hi = 0;
        this.lo = 0;
        // Re-centre on the new level: a fresh reference that learns fast (warm-up) from here.
        this.ref = new EwStats(this.alpha);
      }
    }
    this.ref.update(value);
    return stat;
  }
}

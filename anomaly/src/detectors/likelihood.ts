import { EwStats } from './ew-stats.js';
import { Ring } from './ring.js';

export interface LikelihoodOptions {
  /** Points averaged into the short-term statistic. */
  shortWindow?: number;
  /** Smoothing of the long-term distribution of the short-term statistic (about 1/alpha points of memory). */
  alpha?: number;
  /** Points needed before any score other than 0. */
  minHistory?: number;
  /** Model log(1 + statistic) instead of the statistic (heavy-tailed statistics). */
  log?: boolean;
}

/** Standard normal upper tail Q(z) = P(Z > z) (Abramowitz-Stegun 7.1.26 through erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Turns a detector's raw statistic into a score in [0, 1] comparable across detectors and series: how unlikely the
 * recent average of the statistic is under its own long-term distribution (a Gaussian tail, as in Numenta's
 * anomaly likelihood), log-scaled so that 0.5 ~ tail 1e-5 and 1 ~ tail 1e-10.
 */
export class Likelihood {
  private readonly recent: Ring;
  private readonly dist: EwStats;
  private readonly minHistory: number;
  private readonly log: boolean;
  private sum = 0;

  constructor(opts: LikelihoodOptions = {}) {
    this.recent = new Ring(opts.shortWindow ?? 3);
    this.dist = new EwStats(opts.alpha ?? 0.002);
    this.minHistory = opts.minHistory ?? 50;
    this.log = opts.log ?? false;
  }

  /** Score of the detector's statistic; a non-finite statistic (no opinion yet) scores 0 and is not learnt. */
  update(stat: number): number {
    if (!Number.isFinite(stat)) return 0;
    const s = this.log ? Math.log1p(stat) : stat;
    if (this.recent.size === this.recent.capacity) this.sum -= this.recent.recent(this.recent.capacity - 1);
    this.recent.push(s);
    this.sum += s;
    const short = this.sum / this.recent.size;
    let score = 0;
    if (this.dist.n >= this.minHistory) {
      const sd = Math.max(this.dist.std, 1e-3 * Math.abs(this.dist.mean), 1e-6);
      const tail = Math.max(normalTail((short - this.dist.mean) / sd), 1e-300);
      score = Math.min(1, Math.max(0, -Math.log10(tail) / 10));
    }
    this.dist.update(short);
    return score;
  }
}

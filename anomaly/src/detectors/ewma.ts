import type { Detector } from './detector.js';
import { EwStats } from './ew-stats.js';

export interface EwmaOptions {
  /** Smoothing of the centre line. */
  alpha?: number;
  minHistory?: number;
}

/** EWMA control chart: distance of x from the exponentially weighted mean, in exponentially weighted std units. */
export class EwmaDetector implements Detector {
  readonly name = 'ewma';
  private readonly stats: EwStats;
  private readonly minHistory: number;

  constructor(opts: EwmaOptions = {}) {
    this.stats = new EwStats(opts.alpha ?? 0.05);
    this.minHistory = opts.minHistory ?? 20;
  }

  update(value: number): number {
    const s = this.stats;
    let stat = Number.NaN;
    if (s.n >= this.minHistory) {
      const sd = s.std || Math.max(Math.abs(s.mean) * 1e-3, 1e-9);
      stat = Math.abs(value - s.mean) / sd;
    }
    s.update(value);
    return stat;
  }
}

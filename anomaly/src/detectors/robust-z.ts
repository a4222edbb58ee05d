import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { Detector } from './detector.js';
import { Ring } from './ring.js';

export interface RobustZOptions {
  /** Values kept for the median and MAD. */
  window?: number;
  /** Recompute median and MAD every this many points (they move slowly). */
  refreshEvery?: number;
  /** Points needed before scoring. */
  minHistory?: number;
}

/** Robust z-score: |x - median| / (1.4826 * MAD) over a sliding window (simple-statistics). */
export class RobustZDetector implements Detector {
  readonly name = 'robust_z';
  private readonly ring: Ring;
  private readonly refreshEvery: number;
  private readonly minHistory: number;
  private med = 0;
  private scale = 0;
  private sinceRefresh = Number.POSITIVE_INFINITY;

  constructor(opts: RobustZOptions = {}) {
    this.ring = new Ring(opts.window ?? 400);
    this.refreshEvery = opts.refreshEvery ?? 5;
    this.minHistory = opts.minHistory ?? 20;
  }

  update(value: number): number {
    let stat = Number.NaN;
    if (this.ring.size >= this.minHistory) {
      if (this.sinceRefresh >= this.refreshEvery) {
        const values = this.ring.values();
        this.med = median(values);
        const mad = medianAbsoluteDeviation(values);
        // A constant series has MAD 0: fall back to a tiny scale relative to the level, so any move stands out.
        this.scale = 1.4826 * mad || Math.max(Math.abs(this.med) * 1e-3, 1e-9);
        this.sinceRefresh = 0;
      }
      stat = Math.abs(value - this.med) / this.scale;
    }
    this.ring.push(value);
    this.sinceRefresh++;
    return stat;
  }
}

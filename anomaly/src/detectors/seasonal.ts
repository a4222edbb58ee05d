import type { Detector } from './detector.js';
import { EwStats } from './ew-stats.js';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export interface SeasonalOptions {
  /** Buckets per day (the weekly profile has 7x as many). */
  bucketsPerDay?: number;
  /** Smoothing of each bucket's mean/variance across periods. */
  alpha?: number;
}

class Profile {
  readonly buckets: EwStats[];
  firstTs = Number.NaN;
  constructor(
    readonly period: number,
    count: number,
    alpha: number,
  ) {
    this.buckets = Array.from({ length: count }, () => new EwStats(alpha));
  }
  bucket(ts: number): EwStats {
    const phase = (((ts % this.period) + this.period) % this.period) / this.period;
    return this.buckets[Math.min(this.buckets.length - 1, Math.floor(phase * this.buckets.length))]!;
  }
  /** Two full periods seen: the offsets are worth using. */
  ready(ts: number): boolean {
    return !Number.isNaN(this.firstTs) && ts - this.firstTs >= 2 * this.period;
  }
}

/**
 * Seasonal baseline: each time-of-day bucket (and, once two weeks exist, each time-of-week bucket) keeps the mean and
 * spread of the values seen at that phase; the statistic is the distance from the bucket's mean in its std units.
 * No opinion (NaN) until two full days of history exist.
 */
export class SeasonalDetector implements Detector {
  readonly name = 'seasonal';
  private readonly daily: Profile;
  private readonly weekly: Profile;
  private readonly global = new EwStats(0.01);

  constructor(opts: SeasonalOptions = {}) {
    const perDay = opts.bucketsPerDay ?? 48;
    const alpha = opts.alpha ?? 0.2;
    this.daily = new Profile(DAY_MS, perDay, alpha);
    this.weekly = new Profile(WEEK_MS, perDay * 7, alpha);
  }

  update(value: number, timestamp: number): number {
    let stat = Number.NaN;
    const profile = this.weekly.ready(timestamp)
      ? this.weekly
      : this.daily.ready(timestamp)
        ? this.daily
        : null;
    if (profile) {
      const b = profile.bucket(timestamp);
      if (b.n >= 2) {
        // Floor the spread at a fraction of the series' overall spread: a bucket that happened to be flat is not
        // infinitely sure.
        const sd = Math.max(b.std, 0.1 * this.global.std, Math.abs(b.mean) * 1e-3, 1e-9);
        stat = Math.abs(value - b.mean) / sd;
      }
    }
    for (const p of [this.daily, this.weekly]) {
      if (Number.isNaN(p.firstTs)) p.firstTs = timestamp;
      p.bucket(timestamp).update(value);
    }
    this.global.update(value);
    return stat;
  }
}

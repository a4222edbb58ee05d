import { SlidingMax } from './sliding-max.js';

export interface RecordRatioOptions {
  /** Statistics remembered: the ratio is against the highest of the last `memory` ones. */
  memory: number;
  /** Statistics needed before any ratio other than 0. */
  minHistory?: number;
}

/**
 * How far a detector's statistic exceeds its own recent record: statistic / max(previous `memory` statistics).
 * Scale-free per series (a series that spikes every day does not alarm on the next daily spike, a new record does).
 * A non-finite statistic (no opinion yet) gives 0 and is not remembered.
 */
export class RecordRatio {
  private readonly recent: SlidingMax;
  private readonly minHistory: number;
  private seen = 0;

  constructor(opts: RecordRatioOptions) {
    this.recent = new SlidingMax(Math.max(1, Math.round(opts.memory)));
    this.minHistory = opts.minHistory ?? 50;
  }

  update(stat: number): number {
    if (!Number.isFinite(stat)) return 0;
    const record = this.recent.max;
    const ratio = this.seen >= this.minHistory && record > 0 ? stat / record : 0;
    this.recent.push(stat);
    this.seen++;
    return ratio;
  }
}

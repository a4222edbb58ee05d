import { median } from 'simple-statistics';
import type { Ensemble, EnsembleScore } from '../detectors/ensemble.js';
import { Ring } from '../detectors/ring.js';
import type { TfForecaster } from '../detectors/tf-forecaster.js';
import { type AlertPolicy, AlertState } from './alert-state.js';
import type { Sample } from './prometheus-client.js';

export type RejectReason = 'gap' | 'not_finite' | 'counter_reset' | 'stale';

export type IngestResult =
  | {
      readonly kind: 'scored';
      readonly score: EnsembleScore;
      readonly afterGap: boolean;
      /** |value - median of the recent values| / |median| (Infinity when the median is 0 and the value is not). */
      readonly relativeChange: number;
      /** value - median of the recent values (signed: which way the series moved). */
      readonly change: number;
    }
  | { readonly kind: 'rejected'; readonly reason: RejectReason }
  | { readonly kind: 'warmup' };

/** Online state of one Prometheus series under one watched query. */
export class SeriesState {
  readonly alert: AlertState;
  lastScore: EnsembleScore | undefined;
  lastValue = Number.NaN;
  /** Timestamp of the last sample taken (scored or a counter's first), epoch ms. */
  lastT = Number.NEGATIVE_INFINITY;
  /** Last evaluation at which the series was present. */
  lastSeen: number;
  points = 0;
  private lastRaw = Number.NaN;
  /** Recent values, for the median that `relativeChange` compares with. */
  private readonly recent = new Ring(400);

  constructor(
    readonly config: string,
    readonly labels: string,
    readonly labelSet: Readonly<Record<string, string>>,
    readonly kind: 'gauge' | 'counter',
    readonly ensemble: Ensemble,
    readonly tf: TfForecaster | undefined,
    policy: AlertPolicy,
    now: number,
  ) {
    this.alert = new AlertState(policy);
    this.lastSeen = now;
  }

  get key(): string {
    return `${this.config}${this.labels}`;
  }

  /**
   * Takes one sample: rejects non-finite values, repeats of the last timestamp and counter resets; flags a sample
   * that follows a gap (more than 2.5 intervals since the last one). Scores the rest.
   */
  ingest(sample: Sample, intervalMs: number): IngestResult {
    if (!Number.isFinite(sample.v)) return { kind: 'rejected', reason: 'not_finite' };
    if (sample.t <= this.lastT) return { kind: 'rejected', reason: 'stale' };
    const afterGap = Number.isFinite(this.lastT) && sample.t - this.lastT > 2.5 * intervalMs;
    let value = sample.v;
    if (this.kind === 'counter') {
      const prevRaw = this.lastRaw;
      const prevT = this.lastT;
      this.lastRaw = sample.v;
      this.lastT = sample.t;
      if (Number.isNaN(prevRaw)) return { kind: 'warmup' };
      if (sample.v < prevRaw) return { kind: 'rejected', reason: 'counter_reset' };
      value = (sample.v - prevRaw) / ((sample.t - prevT) / 1000);
    } else {
      this.lastT = sample.t;
    }
    const score = this.ensemble.update(value, sample.t);
    const med = this.recent.size > 0 ? median(this.recent.values()) : value;
    const change = value - med;
    const diff = Math.abs(change);
    const relativeChange = diff === 0 ? 0 : med === 0 ? Number.POSITIVE_INFINITY : diff / Math.abs(med);
    this.recent.push(value);
    this.lastScore = score;
    this.lastValue = value;
    this.points++;
    return { kind: 'scored', score, afterGap, relativeChange, change };
  }
}

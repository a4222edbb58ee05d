import { CusumDetector, type CusumOptions } from './cusum.js';
import type { Detector } from './detector.js';
import { EwmaDetector, type EwmaOptions } from './ewma.js';
import { Likelihood, type LikelihoodOptions } from './likelihood.js';
import { RecordRatio } from './record-ratio.js';
import { Refractory } from './refractory.js';
import { RobustZDetector, type RobustZOptions } from './robust-z.js';
import { SeasonalDetector, type SeasonalOptions } from './seasonal.js';

/** Maps a sum of a likelihood score and a record ratio (>= 0) to [0, 1), monotonically. */
function squash(x: number): number {
  return x / (x + 2);
}

/** Per-detector scores of one point, in [0, 1], and their combination. */
export interface EnsembleScore {
  readonly score: number;
  readonly detectors: Readonly<Record<string, number>>;
}

export interface EnsembleOptions {
  likelihood?: LikelihoodOptions;
  /** Weight of each detector in the combination (default 1). A detector with weight 0 is run but ignored. */
  weights?: Readonly<Record<string, number>>;
  /**
   * Points after a score during which a score no higher than it is damped (x `damping`): one incident raises one
   * alarm at any threshold, not a train of them. 0 turns this off.
   */
  refractory?: number;
  damping?: number;
  /** `max`: the most certain detector decides (default); `mean`: the weighted mean of the detectors' scores. */
  combine?: 'max' | 'mean';
  /**
   * Points of record memory (0/absent: off). When on, each detector's score adds how far its statistic exceeds the
   * highest of its last `recordMemory` statistics (RecordRatio) to its likelihood score, and the sum x is mapped to
   * [0, 1] as x / (x + 2) (so 0.5 ~ a statistic twice its recent record with a certain likelihood).
   */
  recordMemory?: number;
}

export interface StatisticalOptions {
  robustZ?: RobustZOptions;
  ewma?: EwmaOptions;
  seasonal?: SeasonalOptions;
  cusum?: CusumOptions;
}

/** The statistical detectors (defaults unless given). */
export function statisticalDetectors(opts: StatisticalOptions = {}): Detector[] {
  return [
    new RobustZDetector(opts.robustZ),
    new EwmaDetector(opts.ewma),
    new SeasonalDetector(opts.seasonal),
    new CusumDetector(opts.cusum),
  ];
}

/**
 * Runs several detectors over one series and combines them into one anomaly score in [0, 1]: each detector's
 * statistic becomes a likelihood score, the combination is the weighted maximum (an anomaly any detector is sure of
 * counts), then repeats of an alarm are damped for a refractory period.
 */
export class Ensemble {
  private readonly detectors: Detector[];
  private readonly likelihoods: Likelihood[];
  private readonly weights: number[];
  private readonly refractory: Refractory | undefined;
  /** Refractory period and damping in force (0: none), to post-process a member alone the same way. */
  readonly refractoryPoints: number;
  readonly damping: number;
  private readonly combine: 'max' | 'mean';
  private readonly records: RecordRatio[] | undefined;

  constructor(detectors: Detector[], opts: EnsembleOptions = {}) {
    this.detectors = detectors;
    this.likelihoods = detectors.map(() => new Likelihood(opts.likelihood));
    this.weights = detectors.map((d) => opts.weights?.[d.name] ?? 1);
    this.refractoryPoints = opts.refractory ?? 0;
    this.damping = opts.damping ?? 0.1;
    this.refractory = this.refractoryPoints ? new Refractory(this.refractoryPoints, this.damping) : undefined;
    this.combine = opts.combine ?? 'max';
    const memory = opts.recordMemory ?? 0;
    this.records = memory > 0 ? detectors.map(() => new RecordRatio({ memory })) : undefined;
  }

  get names(): string[] {
    return this.detectors.map((d) => d.name);
  }

  /** Seconds its detectors spent training models so far. */
  get trainingSeconds(): number {
    return this.detectors.reduce((sum, d) => sum + (d.trainingSeconds ?? 0), 0);
  }

  /** Waits for any background training of its detectors. */
  async settle(): Promise<void> {
    for (const d of this.detectors) if (d.settle) await d.settle();
  }

  /** As `update`, after any background training has finished (reproducible runs). */
  async updateAsync(value: number, timestamp: number): Promise<EnsembleScore> {
    await this.settle();
    return this.update(value, timestamp);
  }

  update(value: number, timestamp: number): EnsembleScore {
    const per: Record<string, number> = {};
    let max = 0;
    let sum = 0;
    let totalWeight = 0;
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i]!;
      const stat = d.update(value, timestamp);
      const likelihood = this.likelihoods[i]!.update(stat);
      const w = this.weights[i]!;
      // With record memory the weight scales the detector's evidence before it is mapped to [0, 1].
      const evidence = this.records ? likelihood + this.records[i]!.update(stat) : undefined;
      const s = evidence === undefined ? likelihood : squash(evidence);
      const weighted = evidence === undefined ? s * w : squash(evidence * w);
      per[d.name] = s;
      max = Math.max(max, weighted);
      sum += weighted;
      totalWeight += w;
    }
    const combined = Math.min(1, this.combine === 'max' ? max : sum / (totalWeight || 1));
    return { score: this.refractory ? this.refractory.apply(combined) : combined, detectors: per };
  }
}

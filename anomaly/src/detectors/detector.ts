/**
 * One online detector over one series. `update` first judges the new value against what it learnt from the values
 * before it (no look-ahead), then learns from it. The statistic is >= 0 (0: normal); its scale differs per detector,
 * the ensemble turns each into a tail probability before combining them.
 */
export interface Detector {
  readonly name: string;
  update(value: number, timestamp: number): number;
  /** Background work (model training) still running, if any: awaited where results must be reproducible (NAB). */
  settle?(): Promise<void>;
  /** Seconds spent training so far (detectors that train a model). */
  readonly trainingSeconds?: number;
}

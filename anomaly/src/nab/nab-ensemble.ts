import { Ensemble, statisticalDetectors } from '../detectors/ensemble.js';
import { ensureTfBackend } from '../detectors/tf-backend.js';
import { TfForecaster } from '../detectors/tf-forecaster.js';

export interface NabEnsembleOptions {
  /** Include the TensorFlow.js forecaster (the ablation runs without it). */
  readonly tfjs: boolean;
  /** Refractory period as a share of the file's rows (NAB windows are 10% of a file, split between its anomalies). */
  readonly refractoryShare?: number;
}

/** The ensemble as scored on NAB: statistical detectors (+ TF.js), one alarm per incident (refractory 1% of rows). */
export async function createNabEnsemble(rows: number, opts: NabEnsembleOptions): Promise<Ensemble> {
  const detectors = statisticalDetectors();
  if (opts.tfjs) {
    await ensureTfBackend();
    detectors.push(new TfForecaster());
  }
  return new Ensemble(detectors, {
    refractory: Math.max(1, Math.round((opts.refractoryShare ?? 0.01) * rows)),
  });
}

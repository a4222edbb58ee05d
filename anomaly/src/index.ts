// Library API of @omnicache/anomaly.
export { CusumDetector, type CusumOptions } from './detectors/cusum.js';
export type { Detector } from './detectors/detector.js';
export {
  Ensemble,
  type EnsembleOptions,
  type EnsembleScore,
  statisticalDetectors,
} from './detectors/ensemble.js';
export { EwmaDetector, type EwmaOptions } from './detectors/ewma.js';
export { Likelihood, type LikelihoodOptions } from './detectors/likelihood.js';
export { RecordRatio, type RecordRatioOptions } from './detectors/record-ratio.js';
export { RobustZDetector, type RobustZOptions } from './detectors/robust-z.js';
export { SeasonalDetector, type SeasonalOptions } from './detectors/seasonal.js';
export { ensureTfBackend } from './detectors/tf-backend.js';
export { TfForecaster, type TfForecasterOptions, type TrainingStats } from './detectors/tf-forecaster.js';
export { createNabEnsemble } from './nab/nab-ensemble.js';
export { type NabRunOptions, type NabRunReport, runNab } from './nab/run.js';
export { type NabScoreOptions, type NabScoreReport, scoreResults } from './nab/score.js';
export * from './prefetch/index.js';
export {
  PrefetchDaemon,
  type PrefetchDaemonOptions,
  type PrefetchDaemonStats,
} from './prefetch-service/daemon.js';
export type { AnnotationEvent } from './service/annotations.js';
export {
  type AnomalyConfig,
  type AnomalyConfigInput,
  ConfigError,
  configSchema,
  loadConfig,
  parseConfig,
} from './service/config.js';
export { SERIES_PRESETS } from './service/presets.js';
export { PrometheusClient, PrometheusQueryError } from './service/prometheus-client.js';
export { type ServiceServer, serve } from './service/server.js';
export { AnomalyService, type EvaluationReport } from './service/service.js';

// Entry point `@omnicache/anomaly/prefetch`: the prefetch models (no TF.js import until the tfjs model is created).
export { BoundedMap } from './bounded-map.js';
export { PrefetchBudget, type PrefetchBudgetOptions } from './budget.js';
export { createPrefetchModel, type PrefetchModelOptions } from './create.js';
export { MarkovModel, type MarkovModelOptions } from './markov.js';
export {
  type AccessObservation,
  PREFETCH_MODEL_NAMES,
  type PrefetchModel,
  type PrefetchModelName,
  type PrefetchPrediction,
} from './model.js';
export { SequentialModel, type SequentialModelOptions } from './sequential.js';
export type { TfSequenceModel, TfSequenceModelOptions } from './tfjs-model.js';

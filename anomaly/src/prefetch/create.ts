import { MarkovModel, type MarkovModelOptions } from './markov.js';
import { PREFETCH_MODEL_NAMES, type PrefetchModel, type PrefetchModelName } from './model.js';
import { SequentialModel, type SequentialModelOptions } from './sequential.js';
import type { TfSequenceModelOptions } from './tfjs-model.js';

export interface PrefetchModelOptions {
  sequential?: SequentialModelOptions;
  markov?: MarkovModelOptions;
  tfjs?: TfSequenceModelOptions;
}

/**
 * Creates a prefetch model by name. Async because the TF.js model loads TensorFlow.js and selects its backend first; the other models are
 * ready at once.
 */
export async function createPrefetchModel(
  name: PrefetchModelName,
  options: PrefetchModelOptions = {},
): Promise<PrefetchModel> {
  switch (name) {
    case 'sequential':
      return new SequentialModel(options.sequential);
    case 'markov':
      return new MarkovModel(options.markov);
    case 'tfjs': {
      // Loaded on demand: importing the prefetch entry does not load TensorFlow.js.
      const [{ ensureTfBackend }, { TfSequenceModel }] = await Promise.all([
        import('../detectors/tf-backend.js'),
        import('./tfjs-model.js'),
      ]);
      await ensureTfBackend();
      return new TfSequenceModel(options.tfjs);
    }
    default:
      throw new RangeError(
        `unknown prefetch model "${String(name)}"; valid models: ${PREFETCH_MODEL_NAMES.join(', ')}`,
      );
  }
}

// The prefetch model contract: an online model of a key-access stream that predicts which keys come next.
// Used by the anomaly service's prefetch loop (keys are keyed-HMAC hex strings there) and by trace replay
// (`omnicache simulate --prefetch`, keys are trace block numbers written in decimal).

/** One access seen by the model, in stream order. */
export interface AccessObservation {
  /** Opaque key id: an HMAC hex in the live loop, a decimal block number in trace replay. */
  readonly key: string;
  /** Time of the access (ms since the epoch in the live loop, the access number in replay). */
  readonly time: number;
  /** Whether the access was a cache hit (models may ignore it). */
  readonly hit: boolean;
  /**
   * The session (user, request stream) the access belongs to, when the cache knows it. Models that keep a context
   * keep one per session, so interleaved sessions do not blur each other's order; predictions after an access use
   * that access's session.
   */
  readonly session?: string;
}

/** A key the model expects to be accessed soon. */
export interface PrefetchPrediction {
  readonly key: string;
  /** Estimated probability that the key is among the next accesses, in [0, 1]. */
  readonly confidence: number;
}

/**
 * An online sequence model: `observe` is called with every access in order, `predict` after any access returns the
 * keys most likely to come next, best first. A model only ever sees the past. Every per-key structure inside a model
 * is bounded (see each model's options).
 */
export interface PrefetchModel {
  readonly name: PrefetchModelName;
  observe(o: AccessObservation): void;
  /** At most `limit` predictions, highest confidence first, never the key just observed. */
  predict(limit: number): readonly PrefetchPrediction[];
  /** Releases resources (TF.js tensors); the model must not be used afterwards. */
  dispose(): void;
}

export const PREFETCH_MODEL_NAMES = ['sequential', 'markov', 'tfjs'] as const;
export type PrefetchModelName = (typeof PREFETCH_MODEL_NAMES)[number];

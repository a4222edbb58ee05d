import { PREFETCH_DROP_REASON_VALUES, PREFETCH_SAMPLE_OUTCOME_VALUES } from '../telemetry/conventions.js';

/** Why a hint was not acted on (the `omnicache.prefetch.drop_reason` attribute). */
export const PREFETCH_DROP_REASONS = PREFETCH_DROP_REASON_VALUES;
export type PrefetchDropReason = (typeof PREFETCH_DROP_REASONS)[number];

/** What happened to sampled accesses (the `omnicache.prefetch.sample_outcome` attribute). */
export const SAMPLE_OUTCOMES = PREFETCH_SAMPLE_OUTCOME_VALUES;
export type SampleOutcome = (typeof SAMPLE_OUTCOMES)[number];

/** cache.stats().prefetch: plain counters, read by telemetry at collection time. */
export interface PrefetchStats {
  transport: string;
  /** Hints received (valid ones for this group). */
  hints: number;
  /** Prefetch loads started. */
  issued: number;
  /** Prefetched entries read by a later request. */
  used: number;
  /** Prefetched entries evicted, expired, overwritten or left unread past usedWithinMs. */
  wasted: number;
  /**
   * Hints not acted on because their loader pattern was over the waste budget, scored in shadow: would have been
   * used (the key was read by demand before the hint's deadline) or wasted.
   */
  shadow: { used: number; wasted: number };
  /** Hints not acted on, by reason. */
  dropped: Record<PrefetchDropReason, number>;
  /** Sampled accesses by outcome. */
  samples: Record<SampleOutcome, number>;
  /** Bus messages that did not parse (counted, ignored). */
  rejected: number;
  /** Prefetched entries waiting for their first read. */
  outstanding: number;
  /** 0 while some loader pattern is off (over the waste budget, its hints scored in shadow only), else 1. */
  rateFactor: number;
  /**
   * The loop's delay over the last 1024 hint messages: from the newest access the model had seen to the hints'
   * arrival here (ms; clocks of the cache and the service hosts compared).
   */
  hintDelayMs: { count: number; p50: number; p95: number; max: number };
}

export function zeroCounts<T extends string>(names: readonly T[]): Record<T, number> {
  const out = {} as Record<T, number>;
  for (const n of names) out[n] = 0;
  return out;
}

import type { AccessSample, AccessTier } from './messages.js';
import { MAX_BATCH } from './messages.js';
import type { SampleOutcome } from './stats.js';
import { TokenBucket } from './token-bucket.js';

export interface SamplerOptions {
  rate: number;
  windowMs: number;
  maxPerSecond: number;
}

/**
 * Decides which demand accesses enter the stream and buffers them until the next flush. Whole time windows are
 * sampled (a window is on with probability `rate`), so consecutive requests stay together; a token bucket caps
 * the volume. `on(now)` is all an unsampled access costs: a comparison, and a random draw once per window.
 */
export class AccessSampler {
  readonly #options: SamplerOptions;
  readonly #bucket: TokenBucket;
  #windowEnd = 0;
  #windowOn = false;
  #buffer: AccessSample[] = [];
  readonly counts: Record<SampleOutcome, number>;

  constructor(options: SamplerOptions, counts: Record<SampleOutcome, number>) {
    this.#options = options;
    this.#bucket = new TokenBucket(options.maxPerSecond);
    this.counts = counts;
  }

  /** Whether an access at `now` is sampled (window on and a token left). */
  on(now: number): boolean {
    if (now >= this.#windowEnd) {
      this.#windowEnd = now + this.#options.windowMs;
      this.#windowOn = this.#options.rate >= 1 || Math.random() < this.#options.rate;
    }
    if (!this.#windowOn) return false;
    if (this.#bucket.take(now)) return true;
    this.counts.rate_limited++;
    return false;
  }

  add(ns: string, k: string, t: number, tier: AccessTier, cost: number, session: string | undefined): void {
    if (this.#buffer.length >= MAX_BATCH * 4) {
      this.counts.rate_limited++; // the bus is slower than the stream: drop rather than grow
      return;
    }
    this.#buffer.push(
      session === undefined ? { ns, k, t, tier, cost } : { ns, k, t, tier, cost, s: session },
    );
  }

  /** The buffered samples in time order, in batches of at most MAX_BATCH; the buffer is emptied. */
  drain(): AccessSample[][] {
    const all = this.#buffer;
    if (all.length === 0) return [];
    this.#buffer = [];
    all.sort((a, b) => a.t - b.t);
    const batches: AccessSample[][] = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) batches.push(all.slice(i, i + MAX_BATCH));
    return batches;
  }
}

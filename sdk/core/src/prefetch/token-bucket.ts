/** A token bucket: `rate` tokens per second, at most one second's worth banked. No timers; refilled on take. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private rate: number,
    now: number = Date.now(),
  ) {
    this.#tokens = rate;
    this.#last = now;
  }

  /** Takes one token scaled by `factor` (0..1 of the configured rate); false when none is left. */
  take(now: number, factor = 1): boolean {
    const rate = this.rate * factor;
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(Math.max(rate, 1), this.#tokens + (elapsed * rate) / 1000);
      this.#last = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

import type { CircuitState } from '../events.js';

export interface CircuitBreakerOptions {
  /** Failures (errors or timeouts) within `windowMs` that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Sliding window for counting failures, ms. Default 10000. */
  windowMs?: number;
  /** How long the circuit stays open before a half-open probe is allowed, ms. Default 5000. */
  openMs?: number;
  /** Consecutive successful probes in half-open that close the circuit. Default 1. */
  halfOpenSuccesses?: number;
}

export const CIRCUIT_BREAKER_DEFAULTS: Required<CircuitBreakerOptions> = {
  failureThreshold: 5,
  windowMs: 10_000,
  openMs: 5_000,
  halfOpenSuccesses: 1,
};

/**
 * Per remote tier. closed -> (threshold failures within window) -> open -> (after openMs) half-open:
 * one probe at a time; a success closes it (after `halfOpenSuccesses`), a failure re-opens it.
 * While open, `allow()` is false and the cache skips the tier without surfacing errors.
 */
export class CircuitBreaker {
  state: CircuitState = 'closed';
  /** Times the circuit opened. */
  opens = 0;
  /** Calls refused while open. */
  rejected = 0;
  private readonly opts: Required<CircuitBreakerOptions>;
  private failures: number[] = [];
  private openedAt = 0;
  private probing = false;
  private probeSuccesses = 0;

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly onChange?: (from: CircuitState, to: CircuitState) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...CIRCUIT_BREAKER_DEFAULTS, ...options };
  }

  /** Whether a call may go to the tier now. In half-open, admits one probe at a time. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.opts.openMs) {
        this.rejected++;
        return false;
      }
      this.transition('half-open');
      this.probeSuccesses = 0;
    }
    if (this.probing) {
      this.rejected++;
      return false;
    }
    this.probing = true;
    return true;
  }

  success(): void {
    if (this.state === 'half-open') {
      this.probing = false;
      if (++this.probeSuccesses >= this.opts.halfOpenSuccesses) {
        this.failures = [];
        this.transition('closed');
      }
    }
  }

  failure(): void {
    const now = this.now();
    if (this.state === 'half-open') {
      this.probing = false;
      this.open(now);
      return;
    }
    if (this.state === 'open') return;
    const cutoff = now - this.opts.windowMs;
    const f = this.failures;
    while (f.length > 0 && f[0]! <= cutoff) f.shift();
    f.push(now);
    if (f.length >= this.opts.failureThreshold) this.open(now);
  }

  private open(now: number): void {
    this.openedAt = now;
    this.failures = [];
    this.opens++;
    this.transition('open');
  }

  private transition(to: CircuitState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.onChange?.(from, to);
  }
}

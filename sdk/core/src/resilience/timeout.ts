import { ConfigError, TimeoutError } from '../errors.js';

/**
 * The longest delay Node's timers honour (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. Timeouts
 * above it are refused where they are configured (ConfigError / InvalidValueError), never clamped silently.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms` when it is a usable timer delay (positive, at most MAX_TIMER_MS); else ConfigError naming `what`. */
export function checkTimerMs(what: string, ms: number): number {
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) {
    throw new ConfigError(
      `${what} must be a positive number of milliseconds up to ${MAX_TIMER_MS} (about 24.8 days, the longest timer Node supports), got ${ms}`,
    );
  }
  return ms;
}

/**
 * Races `promise` against a timer. Rejects with TimeoutError after `ms` (the underlying work is not
 * cancelled; callers pass an AbortSignal where the work supports one). `ms <= 0` or Infinity: no timeout.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  if (!(ms > 0) || ms === Number.POSITIVE_INFINITY) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimeoutError(what, ms));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

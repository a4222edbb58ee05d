/**
 * Exponential backoff with full jitter: attempt 0 -> [base/2, base], doubling up to `max`.
 * Used for grace retries after loader failures and for polling while another instance holds the stampede lock.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

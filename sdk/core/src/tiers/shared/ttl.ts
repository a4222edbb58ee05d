/**
 * Normalises a tier TTL: a positive finite number becomes whole milliseconds (at least 1),
 * Infinity means "no expiry" (undefined), zero/negative/NaN means "already expired" (0).
 */
export function normaliseTtl(ttlMs: number): number | undefined {
  if (ttlMs === Number.POSITIVE_INFINITY) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) return 0;
  return Math.max(1, Math.ceil(ttlMs));
}

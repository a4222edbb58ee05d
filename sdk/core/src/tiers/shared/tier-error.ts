import { OmniCacheError, TierError } from '../../errors.js';

/** Wraps any failure of a storage client into a TierError (OmniCache errors such as TimeoutError pass through). */
export function toTierError(tier: string, operation: string, error: unknown, hint: string): OmniCacheError {
  if (error instanceof OmniCacheError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TierError(tier, `${tier} ${operation} failed: ${reason}; ${hint}`, { cause: error });
}

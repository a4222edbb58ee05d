import { PREFETCHERS, type Prefetcher } from './prefetch-replay.js';
import type { PrefetchSimulationOptions } from './prefetch-simulator.js';
import { TraceError } from './trace-format.js';

/** The prefetch-related flags of `omnicache simulate`. */
export interface PrefetchFlags {
  prefetch?: string;
  prefetchDegree?: string;
  minConfidence?: string;
  adaptive?: boolean;
  limit?: string;
}

export function parsePrefetchers(value: string): Prefetcher[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new TraceError('--prefetch needs at least one value');
  return names.map((n) => {
    if (!(PREFETCHERS as readonly string[]).includes(n)) {
      throw new TraceError(`unknown prefetcher "${n}"; valid prefetchers: ${PREFETCHERS.join(', ')}`);
    }
    return n as Prefetcher;
  });
}

export function parsePrefetchOptions(
  flags: PrefetchFlags,
): Pick<PrefetchSimulationOptions, 'maxDegree' | 'minConfidence' | 'adaptive' | 'limit'> {
  const out: Pick<PrefetchSimulationOptions, 'maxDegree' | 'minConfidence' | 'adaptive' | 'limit'> = {
    adaptive: flags.adaptive ?? true,
  };
  if (flags.prefetchDegree !== undefined) {
    const n = Number(flags.prefetchDegree);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new TraceError(`--prefetch-degree must be a positive integer, got "${flags.prefetchDegree}"`);
    out.maxDegree = n;
  }
  if (flags.minConfidence !== undefined) {
    const c = Number(flags.minConfidence);
    if (!(c >= 0 && c <= 1))
      throw new TraceError(`--min-confidence must be in [0, 1], got "${flags.minConfidence}"`);
    out.minConfidence = c;
  }
  if (flags.limit !== undefined) {
    const n = Number(flags.limit);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new TraceError(`--limit must be a positive integer, got "${flags.limit}"`);
    out.limit = n;
  }
  return out;
}

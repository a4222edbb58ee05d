import type { CircuitState, TierName } from '../events.js';
import type { InvalidationStats } from '../invalidation/invalidator.js';
import type { ArcSnapshot, LruSnapshot, PolicyName } from '../policy/index.js';
import type { PrefetchStats } from '../prefetch/stats.js';
import type { EncryptionStats } from '../security/encryption/stats.js';
import type { TierKind } from '../tiers/tier.js';

/**
 * Plain number fields the cache increments on its paths (no allocation, no observability calls).
 * Telemetry reads them at collection time through `cache.stats()`.
 */
export class CacheCounters {
  /** Calls refused by the access policy. */
  accessDenied = 0;
  /** getOrSet/get outcomes across all tiers: served fresh from some tier. */
  hits = 0;
  /** Not found fresh in any tier (a loader call or an undefined result follows). */
  misses = 0;
  /** Requests that failed (loader error/timeout with nothing stale to serve). */
  errors = 0;
  staleSwr = 0;
  staleGrace = 0;
  staleSoftTimeout = 0;
  staleBackoff = 0;
  /** get(key, { allowStale: true }) answered with a stale value. */
  staleAllowed = 0;
  loaderCalls = 0;
  loaderSuccess = 0;
  loaderError = 0;
  loaderTimeout = 0;
  /** getOrSet calls that joined another in-flight load of the same key. */
  coalesced = 0;
  /** Background refreshes started (stale-while-revalidate, soft timeout continuations). */
  backgroundRefreshes = 0;
  /** Loaded values not written back because the key changed in a shared tier since the load read it (write-back.ts). */
  writeBacksRefused = 0;
  lockAcquired = 0;
  lockWaited = 0;
  lockExpired = 0;
  lockErrors = 0;
  promoteL2ToL1 = 0;
  promoteL3ToL1 = 0;
  promoteL3ToL2 = 0;
  demoteL1ToL2 = 0;
}

export class L1Counters {
  hits = 0;
  misses = 0;
  staleHits = 0;
  sets = 0;
  deletes = 0;
  evictCapacity = 0;
  evictExpired = 0;
  evictInvalidated = 0;
  /** Values not kept because one alone is larger than maxBytes (they live in the remote tiers only). */
  oversize = 0;
}

export class RemoteTierCounters {
  hits = 0;
  misses = 0;
  staleHits = 0;
  sets = 0;
  deletes = 0;
  errors = 0;
  timeouts = 0;
  decodeErrors = 0;
  /** The decode errors that were checksum mismatches (damaged bytes). */
  checksumFailures = 0;
  /** Operations skipped because the circuit was open. */
  skipped = 0;
}

export interface EvictionStats {
  capacity: number;
  expired: number;
  invalidated: number;
}

export interface L1Stats {
  tier: 'l1';
  hits: number;
  misses: number;
  staleHits: number;
  sets: number;
  deletes: number;
  evictions: EvictionStats;
  entries: number;
  /** Values refused because one alone is larger than maxBytes (kept in the remote tiers only). */
  oversize: number;
  /** Estimated bytes held (0 when maxBytes is not set and sizes are not tracked). */
  bytes: number;
  maxBytes: number | undefined;
  capacity: number;
  policy: { name: PolicyName } & (ArcSnapshot | LruSnapshot);
}

export interface RemoteTierStats {
  tier: 'l2' | 'l3';
  kind: TierKind;
  hits: number;
  misses: number;
  staleHits: number;
  sets: number;
  deletes: number;
  errors: number;
  timeouts: number;
  decodeErrors: number;
  /** Records whose checksum did not match (damaged in the tier or on the way); included in decodeErrors. */
  checksumFailures: number;
  skipped: number;
  circuit: { state: CircuitState; opens: number; rejected: number };
  /** Entries and bytes held, when the tier can tell without I/O (see Tier.usage). */
  usage?: { entries: number; bytes: number };
}

export interface MovementStats {
  from: TierName;
  to: TierName;
  kind: 'promotion' | 'demotion';
  count: number;
}

export interface CacheStats {
  cache: string;
  requests: { hits: number; misses: number; errors: number; stale: number };
  stale: { swr: number; grace: number; softTimeout: number; backoff: number; allowStale: number };
  loader: {
    calls: number;
    success: number;
    error: number;
    timeout: number;
    coalesced: number;
    backgroundRefreshes: number;
    /**
     * Loaded values cached nowhere because a write or key delete (here or on another instance) reached a shared
     * tier after the load read it: the loader may have read the source before that change (docs/invalidation.md).
     */
    writeBacksRefused: number;
  };
  lock: { acquired: number; waited: number; expired: number; errors: number };
  movements: MovementStats[];
  inFlight: number;
  tiers: { l1: L1Stats; l2?: RemoteTierStats; l3?: RemoteTierStats };
  /** Present when the cache encrypts (security/encryption). */
  encryption?: EncryptionStats;
  /** Present when an access policy is set. */
  access?: { denied: number };
  /** Invalidation bus counters, when the cache has a bus (or used invalidate()/dependsOn). */
  invalidation?: InvalidationStats;
  /** Prefetch loop counters, when the cache has `prefetch` configured. */
  prefetch?: PrefetchStats;
}

/** Keys a replacement policy can track. */
export type PolicyKey = string | number;

/** Counters every policy keeps; the L1 tier and the simulator read them, telemetry reads them at collection time. */
export interface PolicyCounters {
  /** Configured number of resident entries. */
  capacity: number;
  /** References to a resident key. */
  hits: number;
  /** References to a key that was not resident. */
  misses: number;
}

/** ARC state as in Megiddo & Modha (FAST 2003): target p and the four list sizes. */
export interface ArcSnapshot extends PolicyCounters {
  p: number;
  t1: number;
  t2: number;
  b1: number;
  b2: number;
  ghostHitsB1: number;
  ghostHitsB2: number;
}

/** ARC's prefetch accounting (ArcPolicy.insertPrefetch): admitted, later demanded (used), evicted undemanded (wasted). */
export interface PrefetchCounters {
  issued: number;
  used: number;
  wasted: number;
  /** Prefetched keys resident and not demanded yet. */
  pending: number;
}

export interface LruSnapshot extends PolicyCounters {
  size: number;
}

export type PolicyName = 'arc' | 'lru';

/**
 * What the L1 tier drives. `touch` is a read (hit or miss, no admission); `admit` makes a key resident,
 * evicting through the eviction listener when full; `access` is a request in the paper's sense
 * (a miss admits the key) and is what trace replay uses.
 */
export interface ReplacementPolicy<
  K extends PolicyKey = PolicyKey,
  S extends PolicyCounters = PolicyCounters,
> {
  readonly name: PolicyName;
  readonly capacity: number;
  /** Number of resident keys. */
  readonly size: number;
  access(key: K): boolean;
  touch(key: K): boolean;
  admit(key: K): void;
  /**
   * Like touch, but returns the key's slot (or -1 on a miss). A slot is a small integer that stays the
   * key's own while it is resident, so a caller can keep values in an array indexed by slot and pay
   * one hash lookup per read. Slots are below `slotCapacity`.
   */
  lookup(key: K): number;
  /** Like admit, but returns the key's slot. */
  insert(key: K): number;
  /**
   * Makes a key resident that nobody asked for yet (a prefetch): not a reference, so no adaptation and no
   * promotion. Returns its slot, or -1 when it is already resident or when making room would push out an
   * entry the policy protects (ARC: anything in T2, the frequency side).
   */
  insertPrefetch(key: K): number;
  /** Upper bound (exclusive) of slots handed out so far; grows as the policy's slot pool grows. */
  readonly slotCapacity: number;
  /** Forget a key (resident or ghost) without calling the eviction listener. Returns whether it was resident. */
  remove(key: K): boolean;
  has(key: K): boolean;
  clear(): void;
  /** Resident keys, most recently used first within each list. */
  keys(): IterableIterator<K>;
  /** Called with each resident key the policy pushes out to make room, and the slot it held. */
  onEvict: ((key: K, slot: number) => void) | undefined;
  snapshot(): S;
}

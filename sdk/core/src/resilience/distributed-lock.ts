/**
 * Cross-process mutual exclusion used by getOrSet's stampede protection: N processes missing the
 * same key call the loader once. The Redis implementation (tiers/redis) uses SET NX PX with a random
 * token and a compare-and-delete release script.
 */
export interface LockHandle {
  /** Releases the lock if this holder still owns it (token check); never releases another holder's lock. */
  release(): Promise<void>;
}

export interface DistributedLock {
  /** Tries once to take the lock for `ttlMs`; undefined when another holder has it. */
  tryAcquire(name: string, ttlMs: number): Promise<LockHandle | undefined>;
}

import type { L1Counters } from '../../cache/stats.js';
import type { EvictionReason } from '../../events.js';
import { createPolicy, type PolicyName, type ReplacementPolicy } from '../../policy/index.js';
import type { L1Entry } from './entry.js';

export interface MemoryTierOptions {
  capacity: number;
  policy: PolicyName;
  maxBytes?: number | undefined;
  counters: L1Counters;
  /** Called after an entry left L1 for any reason (the cache emits events and demotes from here). */
  onRemoved?: ((key: string, entry: L1Entry, reason: EvictionReason) => void) | undefined;
}

/**
 * Accounting of prefetched entries not yet read (prefetch/ledger.ts): L1 reports the first demand hit on one
 * (used) and its removal before that (lost). `pending` is checked first, so a cache without prefetch pays one
 * field read per hit.
 */
export interface PrefetchMarks {
  readonly pending: ReadonlyMap<string, unknown>;
  used(key: string): void;
  lost(key: string, reason: EvictionReason | 'overwritten'): void;
}

/**
 * L1: an entries Map plus a replacement policy (ARC or LRU) that decides which key to evict at capacity.
 * Entries carry fresh/stale deadlines; a tag index maps qualified tags to keys. Reads are O(1) and
 * allocate nothing. With `maxBytes`, the estimated total is bounded too: oldest-written entries go first.
 */
export class MemoryTier {
  readonly entries = new Map<string, L1Entry>();
  readonly policy: ReplacementPolicy<string>;
  readonly maxBytes: number | undefined;
  bytes = 0;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly counters: L1Counters;
  private readonly onRemoved: MemoryTierOptions['onRemoved'];
  /** Set by the prefetch executor when the cache has prefetch configured. */
  marks: PrefetchMarks | undefined = undefined;

  constructor(options: MemoryTierOptions) {
    this.policy = createPolicy<string>(options.policy, options.capacity);
    this.maxBytes = options.maxBytes;
    this.counters = options.counters;
    this.onRemoved = options.onRemoved;
    this.policy.onEvict = (key) => this.remove(key, 'capacity', false);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The hot path: a fresh entry (counted as a hit, policy touched, sliding applied) or undefined.
   * A stale entry is returned through `peek` by callers that can serve stale.
   */
  getFresh(key: string, now: number): L1Entry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && now < e.freshUntil) {
      this.policy.touch(key);
      this.counters.hits++;
      const marks = this.marks;
      if (marks !== undefined && marks.pending.size !== 0 && marks.pending.has(key)) marks.used(key);
      if (e.sliding) {
        const d = now + e.ttl - e.freshUntil;
        if (d > 0) {
          e.freshUntil += d;
          e.staleUntil += d;
        }
      }
      return e;
    }
    return undefined;
  }

  /**
   * Called after getFresh missed: the entry if still within its stale window (not counted as a hit),
   * otherwise undefined after dropping an expired entry. Counts the L1 miss.
   */
  getStale(key: string, now: number): L1Entry | undefined {
    const e = this.entries.get(key);
    this.counters.misses++;
    if (e === undefined) {
      this.policy.touch(key);
      return undefined;
    }
    if (now < e.staleUntil) return e;
    this.remove(key, 'expired', true);
    return undefined;
  }

  /**
   * Stores an entry. With maxBytes, an entry larger than the whole budget is refused (false): it would empty L1
   * and still not fit. The key's previous entry goes either way, so L1 never serves a value older than the
   * write; the remote tiers still take the new value.
   */
  set(key: string, entry: L1Entry): boolean {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.unlink(key, old);
      this.entries.delete(key);
      const marks = this.marks;
      if (marks?.pending.has(key)) marks.lost(key, 'overwritten');
    }
    if (this.maxBytes !== undefined && entry.size > this.maxBytes) {
      if (old !== undefined) this.policy.remove(key);
      this.counters.oversize++;
      return false;
    }
    this.entries.set(key, entry);
    this.link(key, entry);
    this.counters.sets++;
    this.policy.admit(key);
    if (this.maxBytes !== undefined) this.enforceBytes(key);
    return true;
  }

  /**
   * Inserts an entry nobody asked for yet (a prefetch) through the policy's insertPrefetch (ARC: into T1, never
   * pushing out T2). False, and nothing written, when the key is present or the policy refuses.
   */
  setPrefetched(key: string, entry: L1Entry): boolean {
    if (this.entries.has(key)) return false;
    if (this.policy.insertPrefetch(key) < 0) return false;
    this.entries.set(key, entry);
    this.link(key, entry);
    this.counters.sets++;
    if (this.maxBytes !== undefined) this.enforceBytes(key);
    return this.entries.has(key);
  }

  delete(key: string): boolean {
    if (!this.entries.has(key)) return false;
    this.counters.deletes++;
    this.remove(key, 'invalidated', true);
    return true;
  }

  deleteByTag(tag: string): number {
    const keys = this.tagIndex.get(tag);
    if (keys === undefined) return 0;
    let n = 0;
    for (const key of [...keys]) if (this.delete(key)) n++;
    this.tagIndex.delete(tag);
    return n;
  }

  /** L1 keys of the entries carrying a qualified tag (a copy: the caller may delete while iterating). */
  taggedKeys(tag: string): readonly string[] {
    const keys = this.tagIndex.get(tag);
    return keys === undefined ? [] : [...keys];
  }

  /** Removes every entry whose L1 key starts with `prefix` ('' = all). */
  clear(prefix: string): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (prefix === '' || key.startsWith(prefix)) {
        this.remove(key, 'invalidated', true);
        n++;
      }
    }
    return n;
  }

  /** Keys of live (not yet expired) entries. */
  *keys(now: number = Date.now()): IterableIterator<string> {
    for (const [k, e] of this.entries) if (now < e.staleUntil) yield k;
  }

  private enforceBytes(justSet: string): void {
    const max = this.maxBytes!;
    if (this.bytes <= max) return;
    // Oldest-written first. Deleting while iterating a Map is well defined; no copy of the keys.
    for (const key of this.entries.keys()) {
      if (this.bytes <= max) break;
      if (key === justSet) continue;
      this.remove(key, 'capacity', true);
    }
  }

  private remove(key: string, reason: EvictionReason, fromCache: boolean): void {
    const e = this.entries.get(key);
    if (fromCache) this.policy.remove(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.unlink(key, e);
    const marks = this.marks;
    if (marks?.pending.has(key)) marks.lost(key, reason);
    if (reason === 'capacity') this.counters.evictCapacity++;
    else if (reason === 'expired') this.counters.evictExpired++;
    else this.counters.evictInvalidated++;
    this.onRemoved?.(key, e, reason);
  }

  private link(key: string, e: L1Entry): void {
    this.bytes += e.size;
    const tags = e.qualifiedTags;
    if (tags === undefined) return;
    for (const t of tags) {
      let set = this.tagIndex.get(t);
      if (set === undefined) {
        set = new Set();
        this.tagIndex.set(t, set);
      }
      set.add(key);
    }
  }

  private unlink(key: string, e: L1Entry): void {
    this.bytes -= e.size;
    const tags = e.qualifiedTags;
    if (tags === undefined) return;
    for (const t of tags) {
      const set = this.tagIndex.get(t);
      if (set === undefined) continue;
      set.delete(key);
      if (set.size === 0) this.tagIndex.delete(t);
    }
  }
}

import { assertCapacity } from './capacity.js';
import type { KeyIndex } from './key-index.js';
import type { ArcSnapshot, PolicyKey, PrefetchCounters, ReplacementPolicy } from './policy.js';
import { NIL, SlotLists } from './slot-lists.js';

const T1 = 0;
const T2 = 1;
const B1 = 2;
const B2 = 3;

/**
 * Adaptive Replacement Cache, exactly as in Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead
 * Replacement Cache" (FAST 2003), Fig. 4. T1/T2 hold resident keys seen once/at least twice, B1/B2 are
 * their ghost histories, and the real-valued target p for |T1| adapts on ghost hits.
 *
 * O(1) per request. A hit allocates nothing: it moves an integer slot between typed-array lists.
 * Deviation for use as a live cache: keys may be removed (invalidation, expiry), so the cache can be
 * below capacity while ghosts exist; REPLACE then runs only when T1 + T2 is full. Without removals
 * this is never observable and the algorithm is the paper's.
 */
export class ArcPolicy<K extends PolicyKey = PolicyKey> implements ReplacementPolicy<K, ArcSnapshot> {
  readonly name = 'arc' as const;
  readonly capacity: number;
  onEvict: ((key: K, slot: number) => void) | undefined = undefined;
  private readonly lists: SlotLists<K>;
  private p = 0;
  private hits = 0;
  private misses = 0;
  private ghostHitsB1 = 0;
  private ghostHitsB2 = 0;
  /** 1 for a resident slot that was prefetched and has not been demanded yet (only T1 slots can be). */
  private pending = new Uint8Array(0);
  private pendingCount = 0;
  private prefetchIssued = 0;
  private prefetchUsed = 0;
  private prefetchWasted = 0;

  /** `index` replaces the default Map (see DenseIndex for integer-keyed trace replay). */
  constructor(capacity: number, index?: KeyIndex<K>) {
    assertCapacity(capacity);
    this.capacity = capacity;
    this.lists = new SlotLists<K>(4, 2 * capacity, index);
  }

  get size(): number {
    const s = this.lists.size;
    return s[T1]! + s[T2]!;
  }

  /** Current target size for T1 (real-valued, 0 <= p <= c). */
  get target(): number {
    return this.p;
  }

  access(key: K): boolean {
    if (this.touch(key)) return true;
    this.admit(key);
    return false;
  }

  get slotCapacity(): number {
    return this.lists.allocated;
  }

  touch(key: K): boolean {
    return this.lookup(key) >= 0;
  }

  /** Case I: a hit in T1 or T2 moves the key to the MRU end of T2. */
  lookup(key: K): number {
    const slot = this.lists.index.get(key);
    if (slot !== undefined) {
      const list = this.lists.owner[slot]!;
      if (list === T1 || list === T2) {
        if (this.pendingCount > 0 && this.pending[slot] === 1) {
          // First demand of a prefetched key: its first reference, so it stays in T1.
          this.pending[slot] = 0;
          this.pendingCount--;
          this.prefetchUsed++;
          this.lists.moveToHead(slot, T1);
        } else this.lists.moveToHead(slot, T2);
        this.hits++;
        return slot;
      }
    }
    this.misses++;
    return -1;
  }

  admit(key: K): void {
    this.insert(key);
  }

  insert(key: K): number {
    const lists = this.lists;
    const size = lists.size;
    const c = this.capacity;
    const slot = lists.index.get(key);
    if (slot !== undefined) {
      const list = lists.owner[slot]!;
      if (list === T1 || list === T2) {
        this.clearPending(slot);
        lists.moveToHead(slot, T2);
        return slot;
      }
      if (list === B1) {
        // Case II: ghost hit in B1 -> favour recency.
        const b1 = size[B1]!;
        const b2 = size[B2]!;
        this.p = Math.min(c, this.p + (b1 >= b2 ? 1 : b2 / b1));
        this.ghostHitsB1++;
        if (size[T1]! + size[T2]! >= c) this.replace(false);
      } else {
        // Case III: ghost hit in B2 -> favour frequency.
        const b1 = size[B1]!;
        const b2 = size[B2]!;
        this.p = Math.max(0, this.p - (b2 >= b1 ? 1 : b1 / b2));
        this.ghostHitsB2++;
        if (size[T1]! + size[T2]! >= c) this.replace(true);
      }
      lists.moveToHead(slot, T2);
      return slot;
    }
    // Case IV: not in T1 ∪ B1 ∪ T2 ∪ B2.
    const l1 = size[T1]! + size[B1]!;
    if (l1 === c) {
      if (size[T1]! < c) {
        lists.release(lists.tail[B1]!);
        if (size[T1]! + size[T2]! >= c) this.replace(false);
      } else {
        const victimSlot = lists.tail[T1]!;
        if (this.clearPending(victimSlot)) this.prefetchWasted++;
        const victim = lists.release(victimSlot);
        this.onEvict?.(victim, victimSlot);
      }
    } else {
      const total = l1 + size[T2]! + size[B2]!;
      if (total >= c) {
        if (total >= 2 * c) lists.release(lists.tail[B2]!);
        if (size[T1]! + size[T2]! >= c) this.replace(false);
      }
    }
    return lists.add(key, T1);
  }

  /** REPLACE(x, p): demote the LRU page of T1 or T2 into its ghost list. */
  private replace(inB2: boolean): void {
    const lists = this.lists;
    const t1 = lists.size[T1]!;
    const fromT1 = t1 >= 1 && ((inB2 && t1 === this.p) || t1 > this.p);
    let from = fromT1 ? T1 : T2;
    if (lists.size[from] === 0) from = from === T1 ? T2 : T1;
    const slot = lists.tail[from]!;
    if (slot === NIL) return;
    this.evict(slot, from);
  }

  /** Pushes a resident slot out: into its ghost list, or out entirely for an unused prefetch (never requested). */
  private evict(slot: number, from: number): void {
    const lists = this.lists;
    if (this.clearPending(slot)) {
      this.prefetchWasted++;
      const key = lists.release(slot);
      this.onEvict?.(key, slot);
      return;
    }
    lists.moveToHead(slot, from === T1 ? B1 : B2);
    this.onEvict?.(lists.keys[slot] as K, slot);
  }

  /**
   * A prefetched key enters T1 (seen once), never T2, without counting a request: p does not adapt, and room is
   * made only from T1's LRU end, so a prefetch can never push out the frequency set (T2). Refused (-1) when the key
   * is resident, or when the cache is full and T1 is empty. A ghost of the key is forgotten (a prefetch is not a
   * request). The first demand hit keeps the key in T1 (that is its first reference, not its second) and counts as
   * used; evicted before any demand it leaves no ghost (it was never requested) and counts as wasted
   * (see prefetchCounters()).
   */
  insertPrefetch(key: K): number {
    const lists = this.lists;
    const size = lists.size;
    const c = this.capacity;
    const existing = lists.index.get(key);
    if (existing !== undefined) {
      const list = lists.owner[existing]!;
      if (list === T1 || list === T2) return -1;
      if (size[T1]! + size[T2]! >= c && size[T1] === 0) return -1;
      lists.release(existing);
    }
    if (size[T1]! + size[T2]! >= c) {
      if (size[T1] === 0) return -1;
      this.evict(lists.tail[T1]!, T1);
    }
    // Keep the paper's invariants |T1| + |B1| <= c and |T1| + |T2| + |B1| + |B2| <= 2c after the add.
    if (size[T1]! + size[B1]! >= c && size[B1]! > 0) lists.release(lists.tail[B1]!);
    else if (size[T1]! + size[T2]! + size[B1]! + size[B2]! >= 2 * c) {
      lists.release(lists.tail[size[B2]! > 0 ? B2 : B1]!);
    }
    const slot = lists.add(key, T1);
    if (slot >= this.pending.length) {
      const grown = new Uint8Array(Math.max(1024, lists.allocated));
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[slot] = 1;
    this.pendingCount++;
    this.prefetchIssued++;
    return slot;
  }

  /** Whether `key` is resident because of a prefetch and has not been demanded since. */
  isPrefetched(key: K): boolean {
    const slot = this.lists.index.get(key);
    return slot !== undefined && this.pendingCount > 0 && this.pending[slot] === 1;
  }

  /** Prefetches admitted, used (demanded while resident) and wasted (evicted unused). */
  prefetchCounters(): PrefetchCounters {
    return {
      issued: this.prefetchIssued,
      used: this.prefetchUsed,
      wasted: this.prefetchWasted,
      pending: this.pendingCount,
    };
  }

  private clearPending(slot: number): boolean {
    if (this.pendingCount === 0 || this.pending[slot] !== 1) return false;
    this.pending[slot] = 0;
    this.pendingCount--;
    return true;
  }

  remove(key: K): boolean {
    const slot = this.lists.index.get(key);
    if (slot === undefined) return false;
    const list = this.lists.owner[slot]!;
    this.clearPending(slot);
    this.lists.release(slot);
    return list === T1 || list === T2;
  }

  has(key: K): boolean {
    const slot = this.lists.index.get(key);
    if (slot === undefined) return false;
    const list = this.lists.owner[slot]!;
    return list === T1 || list === T2;
  }

  clear(): void {
    this.lists.clear();
    this.pending.fill(0);
    this.pendingCount = 0;
    this.p = 0;
  }

  *keys(): IterableIterator<K> {
    yield* this.lists.iterate(T2);
    yield* this.lists.iterate(T1);
  }

  snapshot(): ArcSnapshot {
    const s = this.lists.size;
    return {
      capacity: this.capacity,
      p: this.p,
      t1: s[T1]!,
      t2: s[T2]!,
      b1: s[B1]!,
      b2: s[B2]!,
      hits: this.hits,
      misses: this.misses,
      ghostHitsB1: this.ghostHitsB1,
      ghostHitsB2: this.ghostHitsB2,
    };
  }
}

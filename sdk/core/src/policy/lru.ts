import { assertCapacity } from './capacity.js';
import type { KeyIndex } from './key-index.js';
import type { LruSnapshot, PolicyKey, ReplacementPolicy } from './policy.js';
import { SlotLists } from './slot-lists.js';

const LIST = 0;

/** Least-recently-used baseline behind the same interface as ARC. O(1), no allocation on a hit. */
export class LruPolicy<K extends PolicyKey = PolicyKey> implements ReplacementPolicy<K, LruSnapshot> {
  readonly name = 'lru' as const;
  readonly capacity: number;
  onEvict: ((key: K, slot: number) => void) | undefined = undefined;
  private readonly lists: SlotLists<K>;
  private hits = 0;
  private misses = 0;

  /** `index` replaces the default Map (see DenseIndex for integer-keyed trace replay). */
  constructor(capacity: number, index?: KeyIndex<K>) {
    assertCapacity(capacity);
    this.capacity = capacity;
    this.lists = new SlotLists<K>(1, capacity, index);
  }

  get size(): number {
    return this.lists.size[LIST]!;
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

  lookup(key: K): number {
    const slot = this.lists.index.get(key);
    if (slot !== undefined) {
      this.lists.moveToHead(slot, LIST);
      this.hits++;
      return slot;
    }
    this.misses++;
    return -1;
  }

  admit(key: K): void {
    this.insert(key);
  }

  insert(key: K): number {
    const lists = this.lists;
    const slot = lists.index.get(key);
    if (slot !== undefined) {
      lists.moveToHead(slot, LIST);
      return slot;
    }
    if (lists.size[LIST]! >= this.capacity) {
      const victimSlot = lists.tail[LIST]!;
      const victim = lists.release(victimSlot);
      this.onEvict?.(victim, victimSlot);
    }
    return lists.add(key, LIST);
  }

  /** LRU protects nothing: a prefetched key is inserted like any other (refused only when already resident). */
  insertPrefetch(key: K): number {
    return this.lists.index.get(key) !== undefined ? -1 : this.insert(key);
  }

  remove(key: K): boolean {
    const slot = this.lists.index.get(key);
    if (slot === undefined) return false;
    this.lists.release(slot);
    return true;
  }

  has(key: K): boolean {
    return this.lists.index.get(key) !== undefined;
  }

  clear(): void {
    this.lists.clear();
  }

  keys(): IterableIterator<K> {
    return this.lists.iterate(LIST);
  }

  snapshot(): LruSnapshot {
    return { capacity: this.capacity, size: this.size, hits: this.hits, misses: this.misses };
  }
}

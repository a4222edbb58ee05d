import { LRUCache } from 'lru-cache';
import { LRUCache as MnemonistLRU } from 'mnemonist';
import { ArcPolicy, LruPolicy, type ReplacementPolicy } from 'omnicache';
import QuickLRU from 'quick-lru';
import { LRU as TinyLRU } from 'tiny-lru';

/** The get/set surface every contestant is driven through. */
export interface MapLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** An OmniCache policy holding values in a slot-indexed array: one hash lookup per get. */
class PolicyBackedMap implements MapLike {
  private values: unknown[] = [];
  constructor(private readonly policy: ReplacementPolicy<string>) {
    policy.onEvict = (_key, slot) => {
      this.values[slot] = undefined;
    };
  }
  get(key: string): unknown {
    const slot = this.policy.lookup(key);
    return slot < 0 ? undefined : this.values[slot];
  }
  set(key: string, value: unknown): void {
    this.values[this.policy.insert(key)] = value;
  }
}

export const contestants: Record<string, (capacity: number) => MapLike> = {
  'omnicache arc': (c) => new PolicyBackedMap(new ArcPolicy<string>(c)),
  'omnicache lru': (c) => new PolicyBackedMap(new LruPolicy<string>(c)),
  'lru-cache': (c) => new LRUCache<string, object>({ max: c }) as MapLike,
  'mnemonist LRUCache': (c) => new MnemonistLRU<string, unknown>(c),
  'quick-lru': (c) => new QuickLRU<string, unknown>({ maxSize: c }),
  'tiny-lru': (c) => new TinyLRU<unknown>(c) as MapLike,
};

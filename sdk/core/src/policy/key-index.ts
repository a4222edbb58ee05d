import type { PolicyKey } from './policy.js';

/** key -> slot lookup used by SlotLists. A Map satisfies it; DenseIndex is the fast path for small integer keys. */
export interface KeyIndex<K extends PolicyKey> {
  get(key: K): number | undefined;
  set(key: K, slot: number): unknown;
  delete(key: K): unknown;
  clear(): void;
}

/**
 * Index for keys that are dense non-negative integers (trace replay remaps keys to 0..n-1):
 * a growable Int32Array instead of hashing. About 3x faster than a Map on large traces.
 */
export class DenseIndex implements KeyIndex<number> {
  private slots = new Int32Array(1024).fill(-1);

  get(key: number): number | undefined {
    const s = key < this.slots.length ? this.slots[key]! : -1;
    return s < 0 ? undefined : s;
  }

  set(key: number, slot: number): void {
    if (!Number.isInteger(key) || key < 0) {
      throw new RangeError(`dense keys must be non-negative integers, got ${key}`);
    }
    if (key >= this.slots.length) {
      let n = this.slots.length * 2;
      while (n <= key) n *= 2;
      const grown = new Int32Array(n).fill(-1);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[key] = slot;
  }

  delete(key: number): void {
    if (key < this.slots.length) this.slots[key] = -1;
  }

  clear(): void {
    this.slots.fill(-1);
  }
}

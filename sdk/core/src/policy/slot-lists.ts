import type { KeyIndex } from './key-index.js';
import type { PolicyKey } from './policy.js';

const NIL = -1;

/**
 * Several doubly linked lists over one pool of slots held in typed arrays, plus a key -> slot index.
 * Moving a key between lists or to a list's MRU end touches only integers: no allocation.
 * MRU is the head, LRU the tail. The pool grows by doubling up to `maxSlots`.
 */
export class SlotLists<K extends PolicyKey> {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly size: Int32Array;
  keys: (K | undefined)[];
  prev: Int32Array;
  next: Int32Array;
  owner: Uint8Array;
  private free: Int32Array;
  private freeTop = 0;
  allocated: number;

  constructor(
    lists: number,
    private readonly maxSlots: number,
    readonly index: KeyIndex<K> = new Map<K, number>(),
  ) {
    this.head = new Int32Array(lists).fill(NIL);
    this.tail = new Int32Array(lists).fill(NIL);
    this.size = new Int32Array(lists);
    const initial = Math.max(1, Math.min(maxSlots, 1024));
    this.allocated = initial;
    this.keys = new Array<K | undefined>(initial).fill(undefined);
    this.prev = new Int32Array(initial);
    this.next = new Int32Array(initial);
    this.owner = new Uint8Array(initial);
    this.free = new Int32Array(initial);
    for (let i = 0; i < initial; i++) this.free[i] = initial - 1 - i;
    this.freeTop = initial;
  }

  /** Takes a free slot for `key` and links it at the MRU end of `list`. */
  add(key: K, list: number): number {
    if (this.freeTop === 0) this.grow();
    const slot = this.free[--this.freeTop]!;
    this.keys[slot] = key;
    this.index.set(key, slot);
    this.linkHead(slot, list);
    return slot;
  }

  /** Unlinks `slot` from its list, forgets its key and returns the key. */
  release(slot: number): K {
    const key = this.keys[slot] as K;
    this.unlink(slot);
    this.index.delete(key);
    this.keys[slot] = undefined;
    this.free[this.freeTop++] = slot;
    return key;
  }

  /** Moves `slot` to the MRU end of `list` (which may be the list it is in). */
  moveToHead(slot: number, list: number): void {
    if (this.head[list] === slot) return;
    this.unlink(slot);
    this.linkHead(slot, list);
  }

  clear(): void {
    this.index.clear();
    this.head.fill(NIL);
    this.tail.fill(NIL);
    this.size.fill(0);
    this.keys.fill(undefined);
    for (let i = 0; i < this.allocated; i++) this.free[i] = this.allocated - 1 - i;
    this.freeTop = this.allocated;
  }

  *iterate(list: number): IterableIterator<K> {
    for (let s = this.head[list]!; s !== NIL; s = this.next[s]!) yield this.keys[s] as K;
  }

  private linkHead(slot: number, list: number): void {
    const h = this.head[list]!;
    this.prev[slot] = NIL;
    this.next[slot] = h;
    if (h !== NIL) this.prev[h] = slot;
    else this.tail[list] = slot;
    this.head[list] = slot;
    this.owner[slot] = list;
    this.size[list]!++;
  }

  private unlink(slot: number): void {
    const list = this.owner[slot]!;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NIL) this.next[p] = n;
    else this.head[list] = n;
    if (n !== NIL) this.prev[n] = p;
    else this.tail[list] = p;
    this.size[list]!--;
  }

  private grow(): void {
    const old = this.allocated;
    const next = Math.min(this.maxSlots, old * 2);
    if (next <= old) throw new RangeError(`slot pool exhausted at ${old} slots (policy invariant broken)`);
    const resize = (a: Int32Array) => {
      const b = new Int32Array(next);
      b.set(a);
      return b;
    };
    this.prev = resize(this.prev);
    this.next = resize(this.next);
    const owner = new Uint8Array(next);
    owner.set(this.owner);
    this.owner = owner;
    this.keys.length = next;
    this.keys.fill(undefined, old);
    this.free = new Int32Array(next);
    for (let i = 0; i < next - old; i++) this.free[i] = next - 1 - i;
    this.freeTop = next - old;
    this.allocated = next;
  }
}

export { NIL };

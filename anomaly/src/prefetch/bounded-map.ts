interface Node<K, V> {
  key: K;
  value: V;
  prev: Node<K, V> | undefined;
  next: Node<K, V> | undefined;
}

/**
 * A Map that keeps at most `capacity` entries, dropping the least recently used one. Recency is an intrusive
 * doubly linked list (not the Map's insertion order: re-inserting to refresh leaves tombstones a JS Map's iterator
 * must skip, which made eviction linear). Every per-key table of the prefetch models is one of these.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private head: Node<K, V> | undefined = undefined;
  private tail: Node<K, V> | undefined = undefined;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedMap capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Returns the value and marks the key as most recently used. */
  get(key: K): V | undefined {
    const n = this.map.get(key);
    if (n === undefined) return undefined;
    if (n !== this.head) {
      this.unlink(n);
      this.linkHead(n);
    }
    return n.value;
  }

  /** Returns the value without changing recency. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const n = this.map.get(key);
    if (n !== undefined) {
      n.value = value;
      if (n !== this.head) {
        this.unlink(n);
        this.linkHead(n);
      }
      return;
    }
    const node: Node<K, V> = { key, value, prev: undefined, next: undefined };
    this.map.set(key, node);
    this.linkHead(node);
    if (this.map.size > this.capacity) {
      const oldest = this.tail!;
      this.unlink(oldest);
      this.map.delete(oldest.key);
    }
  }

  delete(key: K): boolean {
    const n = this.map.get(key);
    if (n === undefined) return false;
    this.unlink(n);
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.head = undefined;
    this.tail = undefined;
  }

  private linkHead(n: Node<K, V>): void {
    n.prev = undefined;
    n.next = this.head;
    if (this.head !== undefined) this.head.prev = n;
    else this.tail = n;
    this.head = n;
  }

  private unlink(n: Node<K, V>): void {
    if (n.prev !== undefined) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next !== undefined) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = undefined;
    n.next = undefined;
  }
}

/**
 * Hash -> key for keys this process read recently: how a hint (which carries only the HMAC) finds the key to
 * load. Bounded: the least recently sampled key goes first (a Map in insertion order, re-inserted on use).
 */
export class KeyDictionary<V> {
  readonly #map = new Map<string, V>();

  constructor(readonly maxSize: number) {}

  get size(): number {
    return this.#map.size;
  }

  remember(hash: string, value: V): void {
    const map = this.#map;
    if (map.has(hash)) map.delete(hash);
    else if (map.size >= this.maxSize) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(hash, value);
  }

  lookup(hash: string): V | undefined {
    return this.#map.get(hash);
  }
}

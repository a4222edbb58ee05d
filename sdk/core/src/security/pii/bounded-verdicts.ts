/**
 * A bounded memo of yes/no verdicts keyed by string (first in, first out: when full, the oldest entry goes).
 * Lookups allocate nothing; capacity 0 remembers nothing.
 */
export class BoundedVerdicts {
  readonly #map = new Map<string, boolean>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): boolean | undefined {
    return this.#map.get(key);
  }

  set(key: string, verdict: boolean): void {
    if (this.#capacity === 0) return;
    if (this.#map.size >= this.#capacity) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, verdict);
  }
}

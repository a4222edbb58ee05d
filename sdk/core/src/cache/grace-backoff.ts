/** One key's grace backoff: no loader call before `until`; `failures` in a row so far (the delay doubles). */
export interface Backoff {
  until: number;
  failures: number;
}

/** Keys remembered at least, whatever L1's capacity. */
const MIN_CAPACITY = 1024;

/**
 * The grace backoff per remote key (loads.ts: after a failure answered from grace, no loader call for the key
 * before `until`). Bounded: at most `capacity` keys (L1's capacity, at least 1024); beyond that the key whose
 * backoff was set longest ago is forgotten, which only lets its loader be retried earlier. A successful load,
 * a set, a delete or an invalidation of the key removes its entry.
 */
export class GraceBackoff {
  readonly #entries = new Map<string, Backoff>();
  readonly capacity: number;
  /** Keys forgotten to stay within capacity (for tests and diagnostics). */
  forgotten = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(MIN_CAPACITY, capacity);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Backoff | undefined {
    return this.#entries.get(key);
  }

  /** Records a backoff (the most recently set key is the last to be forgotten). */
  set(key: string, backoff: Backoff): void {
    const entries = this.#entries;
    entries.delete(key);
    entries.set(key, backoff);
    if (entries.size <= this.capacity) return;
    for (const k of entries.keys()) {
      if (entries.size <= this.capacity) break;
      entries.delete(k);
      this.forgotten++;
    }
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
}

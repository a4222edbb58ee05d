import type { DataKeyMaterial } from './message-key.js';

/** An unwrapped data key held in memory (as what it is used for: the derived AES key and its commitment). */
export interface CachedDek {
  material: DataKeyMaterial;
  keyId: string;
  namespace: string;
  /** Epoch ms after which the entry is dropped. */
  expiresAt: number;
}

/**
 * Unwrapped data keys by data key id, bounded in count (least recently used goes first) and in time (each entry
 * expires `ttlMs` after it was unwrapped). While the key provider is down, reads keep working for every data key
 * still in here.
 */
export class DekCache {
  readonly #entries = new Map<string, CachedDek>();
  readonly #max: number;
  readonly #ttlMs: number;

  constructor(maxEntries: number, ttlMs: number) {
    this.#max = maxEntries;
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string, now: number): CachedDek | undefined {
    const e = this.#entries.get(id);
    if (e === undefined) return undefined;
    if (now >= e.expiresAt) {
      this.delete(id);
      return undefined;
    }
    // refresh recency: Map iteration order is insertion order
    this.#entries.delete(id);
    this.#entries.set(id, e);
    return e;
  }

  set(id: string, material: DataKeyMaterial, keyId: string, namespace: string, now: number): CachedDek {
    const e: CachedDek = { material, keyId, namespace, expiresAt: now + this.#ttlMs };
    this.#entries.delete(id);
    this.#entries.set(id, e);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.delete(oldest);
    }
    return e;
  }

  delete(id: string): void {
    const e = this.#entries.get(id);
    if (e === undefined) return;
    e.material.key.fill(0);
    this.#entries.delete(id);
  }

  clear(): void {
    for (const id of [...this.#entries.keys()]) this.delete(id);
  }
}

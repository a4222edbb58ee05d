import type { Tier, TierRead, TierSetOptions, TierWrite } from '../../src/tiers/tier.js';

interface Slot {
  value: Uint8Array | undefined;
  tags: readonly string[];
  expiresAt: number;
  state: string;
}

/**
 * In-memory conditional Tier for unit tests (what Redis and fs do, tier.ts): every write is a new state, a key
 * delete leaves a tombstone for `tombstoneMs`, setIfUnchanged compares atomically. With `tombstoneMs: 0` it is a
 * plain tier (no read/setIfUnchanged capability as far as the cache is concerned).
 */
export class TombstoneTier implements Tier {
  readonly kind = 'redis' as const;
  readonly data = new Map<string, Slot>();
  #next = 0;

  constructor(readonly tombstoneMs = 60_000) {}

  #live(key: string): Slot | undefined {
    const s = this.data.get(key);
    if (s !== undefined && Date.now() >= s.expiresAt) {
      this.data.delete(key);
      return undefined;
    }
    return s;
  }
  #put(key: string, value: Uint8Array | undefined, ttlMs: number, tags: readonly string[] = []): void {
    this.data.set(key, {
      value,
      tags,
      expiresAt: Date.now() + ttlMs,
      state: `${value ? 'v' : 't'}${++this.#next}`,
    });
  }
  #remove(key: string): boolean {
    const had = this.#live(key)?.value !== undefined;
    if (this.tombstoneMs > 0) this.#put(key, undefined, this.tombstoneMs);
    else this.data.delete(key);
    return had;
  }

  async get(key: string) {
    return this.#live(key)?.value;
  }
  async read(key: string): Promise<TierRead> {
    const s = this.#live(key);
    return { value: s?.value, state: s?.state ?? '' };
  }
  async getMany(keys: readonly string[]) {
    return keys.map((k) => this.#live(k)?.value);
  }
  async set(key: string, value: Uint8Array, o: TierSetOptions) {
    this.#put(key, value, o.ttlMs, o.tags);
  }
  async setMany(writes: readonly TierWrite[]) {
    for (const w of writes) this.#put(w.key, w.value, w.ttlMs, w.tags);
  }
  async setIfUnchanged(w: TierWrite, expected: string) {
    if ((this.#live(w.key)?.state ?? '') !== expected) return false;
    this.#put(w.key, w.value, w.ttlMs, w.tags);
    return true;
  }
  async delete(key: string) {
    return this.#remove(key);
  }
  async deleteMany(keys: readonly string[]) {
    return keys.filter((k) => this.#remove(k)).length;
  }
  async deleteEach(keys: readonly string[]) {
    return keys.map((k) => this.#remove(k));
  }
  async deleteByTag(tag: string) {
    let n = 0;
    for (const [k, s] of [...this.data]) {
      if (s.value !== undefined && s.tags.includes(tag)) {
        this.data.delete(k);
        n++;
      }
    }
    return n;
  }
  async tagMembers(tag: string) {
    return [...this.data].filter(([, s]) => s.value !== undefined && s.tags.includes(tag)).map(([k]) => k);
  }
  async clear(prefix: string) {
    let n = 0;
    for (const k of [...this.data.keys()]) {
      if (k.startsWith(prefix)) {
        this.data.delete(k);
        n++;
      }
    }
    return n;
  }
  async close() {}
}

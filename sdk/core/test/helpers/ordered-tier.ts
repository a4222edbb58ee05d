import type { Tier, TierKind, TierSetOptions, TierWrite } from '../../src/tiers/tier.js';
import { liveValue } from './fake-tier.js';

/** Decides when a tier call's reply reaches the caller: return a promise to hold it, undefined to reply now. */
export type ReplyGate = (op: string, keys: readonly string[]) => Promise<void> | undefined;

/**
 * In-memory Tier that behaves like one ordered connection to a server (Redis): every call takes effect on
 * the data when it is issued, in call order, and only its reply is delayed (by `gate`). Unit tests use it to
 * put a read's reply after a later write, the way a real network does.
 */
export class OrderedTier implements Tier {
  readonly kind: TierKind;
  readonly data = new Map<string, { value: Uint8Array; expiresAt: number; tags: readonly string[] }>();
  readonly calls: string[] = [];
  gate: ReplyGate | undefined;

  constructor(kind: TierKind = 'redis', gate?: ReplyGate) {
    this.kind = kind;
    this.gate = gate;
  }

  async #reply<T>(op: string, keys: readonly string[], result: T): Promise<T> {
    this.calls.push(op);
    const hold = this.gate?.(op, keys);
    if (hold !== undefined) await hold;
    return result;
  }

  #live(key: string): Uint8Array | undefined {
    return liveValue(this.data, key);
  }

  #put(w: TierWrite): void {
    this.data.set(w.key, { value: w.value, expiresAt: Date.now() + w.ttlMs, tags: w.tags ?? [] });
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#reply('get', [key], this.#live(key));
  }
  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    return this.#reply(
      'getMany',
      keys,
      keys.map((k) => this.#live(k)),
    );
  }
  set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void> {
    this.#put({ key, value, ...options });
    return this.#reply('set', [key], undefined);
  }
  setMany(writes: readonly TierWrite[]): Promise<void> {
    for (const w of writes) this.#put(w);
    return this.#reply(
      'setMany',
      writes.map((w) => w.key),
      undefined,
    );
  }
  delete(key: string): Promise<boolean> {
    return this.#reply('delete', [key], this.data.delete(key));
  }
  deleteMany(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.data.delete(k)) n++;
    return this.#reply('deleteMany', keys, n);
  }
  deleteByTag(tag: string): Promise<number> {
    let n = 0;
    for (const [k, e] of [...this.data]) {
      if (e.tags.includes(tag)) {
        this.data.delete(k);
        n++;
      }
    }
    return this.#reply('deleteByTag', [], n);
  }
  clear(prefix: string): Promise<number> {
    let n = 0;
    for (const k of [...this.data.keys()]) {
      if (k.startsWith(prefix)) {
        this.data.delete(k);
        n++;
      }
    }
    return this.#reply('clear', [], n);
  }
  async close(): Promise<void> {}
}

/** A gate that holds replies of `op` until `release()`; other replies pass. */
export function holdReplies(op: string): { gate: ReplyGate; release: () => void; held: () => number } {
  let waiting: (() => void)[] = [];
  return {
    gate: (o) => {
      if (o !== op) return undefined;
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => {
      const w = waiting;
      waiting = [];
      for (const r of w) r();
    },
    held: () => waiting.length,
  };
}

import type { DistributedLock, LockHandle } from '../../src/resilience/distributed-lock.js';
import type { Tier, TierKind, TierSetOptions, TierWrite } from '../../src/tiers/tier.js';

/** In-memory Tier for unit tests: TTL by Date.now(), tags, prefix clear, failure and latency injection. */
export class FakeTier implements Tier {
  readonly kind: TierKind;
  readonly data = new Map<string, { value: Uint8Array; expiresAt: number; tags: readonly string[] }>();
  readonly calls: string[] = [];
  /** When set, every call rejects with this error. */
  failWith: Error | undefined;
  /** Artificial latency per call, ms. */
  delayMs = 0;
  closed = false;

  constructor(kind: TierKind = 'redis') {
    this.kind = kind;
  }

  private async enter(op: string): Promise<void> {
    this.calls.push(op);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
  }

  private live(key: string): Uint8Array | undefined {
    return liveValue(this.data, key);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    await this.enter('get');
    return this.live(key);
  }
  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    await this.enter('getMany');
    return keys.map((k) => this.live(k));
  }
  async set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void> {
    await this.enter('set');
    this.data.set(key, { value, expiresAt: Date.now() + options.ttlMs, tags: options.tags ?? [] });
  }
  async setMany(writes: readonly TierWrite[]): Promise<void> {
    await this.enter('setMany');
    for (const w of writes)
      this.data.set(w.key, { value: w.value, expiresAt: Date.now() + w.ttlMs, tags: w.tags ?? [] });
  }
  async delete(key: string): Promise<boolean> {
    await this.enter('delete');
    return this.data.delete(key);
  }
  async deleteMany(keys: readonly string[]): Promise<number> {
    await this.enter('deleteMany');
    let n = 0;
    for (const k of keys) if (this.data.delete(k)) n++;
    return n;
  }
  async deleteByTag(tag: string): Promise<number> {
    await this.enter('deleteByTag');
    let n = 0;
    for (const [k, e] of [...this.data]) {
      if (e.tags.includes(tag)) {
        this.data.delete(k);
        n++;
      }
    }
    return n;
  }
  async tagMembers(tag: string): Promise<string[]> {
    await this.enter('tagMembers');
    const out: string[] = [];
    for (const [k, e] of this.data) if (e.tags.includes(tag)) out.push(k);
    return out;
  }
  async clear(prefix: string): Promise<number> {
    await this.enter('clear');
    let n = 0;
    for (const k of [...this.data.keys()]) {
      if (k.startsWith(prefix)) {
        this.data.delete(k);
        n++;
      }
    }
    return n;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The unexpired value stored under `key` in an in-memory fake tier (an expired one is dropped). */
export function liveValue(
  data: Map<string, { value: Uint8Array; expiresAt: number }>,
  key: string,
): Uint8Array | undefined {
  const e = data.get(key);
  if (e === undefined) return undefined;
  if (Date.now() >= e.expiresAt) {
    data.delete(key);
    return undefined;
  }
  return e.value;
}

/** In-process DistributedLock shared by several caches (simulates several instances). */
export class FakeLock implements DistributedLock {
  readonly held = new Map<string, { token: number; until: number }>();
  acquires = 0;
  private next = 0;
  async tryAcquire(name: string, ttlMs: number): Promise<LockHandle | undefined> {
    const h = this.held.get(name);
    if (h !== undefined && Date.now() < h.until) return undefined;
    const token = ++this.next;
    this.held.set(name, { token, until: Date.now() + ttlMs });
    this.acquires++;
    return {
      release: async () => {
        if (this.held.get(name)?.token === token) this.held.delete(name);
      },
    };
  }
}

export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

import { type CacheConfig, parseCacheConfig } from './cache/config.js';
import { CacheCore } from './cache/core.js';
import {
  afterRemove,
  afterWrite,
  attachBus,
  dependencyTags,
  existingInvalidation,
  INVALIDATE_FROM,
  type InvalidationResult,
  type InvalidationTarget,
  invalidateTarget,
} from './cache/invalidation.js';
import type { RemoteTier } from './cache/remote-tier.js';
import { childScope, invalidKey, invalidTag, rootScope, type Scope } from './cache/scope.js';
import type { CacheStats } from './cache/stats.js';
import { ATTACH_TRACING, type CacheTracing } from './cache/tracing.js';
import type {
  GetOptions,
  GetOrSetOptions,
  Loader,
  LoaderContext,
  SetManyEntry,
  SetOptions,
} from './cache/types.js';
import { checkValue } from './cache/value-check.js';
import type { StoredRecord } from './codec/record.js';
import { InvalidValueError, LoaderError, OmniCacheError, TimeoutError } from './errors.js';
import {
  type CacheEvents,
  eventsDiagnosticsChannel as dc,
  type StaleReason,
  type TierName,
} from './events.js';
import { backoffDelay } from './resilience/backoff.js';
import type { LockHandle } from './resilience/distributed-lock.js';
import { sleep, withTimeout } from './resilience/timeout.js';
import type { L1Entry } from './tiers/memory/entry.js';
import type { TierWrite } from './tiers/tier.js';

/** Per-call options merged with the cache defaults. */
interface Resolved {
  ttl: number;
  grace: number;
  swr: number;
  jitter: number;
  sliding: boolean;
  soft: number;
  hard: number;
  graceBackoff: number;
  lock: boolean;
  tags: readonly string[] | undefined;
}

/** A key in all its spellings. */
interface Where {
  key: string;
  l1Key: string;
  remoteKey: string;
}

/** A value found somewhere, with its freshness. */
interface Found {
  value: unknown;
  freshUntil: number;
  staleUntil: number;
  tier: TierName;
}

/** A value ready to be written to every tier. */
interface Prepared {
  where: Where;
  record: StoredRecord;
  size: number;
  bytes: Uint8Array | undefined;
  qualifiedTags: readonly string[] | undefined;
  sliding: boolean;
}

const SOFT = Symbol('soft-timeout');
const MAX_BACKOFF_FACTOR = 10;

/**
 * The tiered cache: L1 (in-process ARC/LRU) -> L2 (Redis) -> L3 (GCS / directory) -> loader.
 * Created by `createCache`; `namespace(name)` returns a scoped view sharing tiers, counters and events.
 */
export class Cache {
  /** The cache's event channel (hit, miss, stale, set, evict, promote, demote, invalidate, load, error, ...). */
  readonly events: CacheEvents;
  readonly name: string;
  /** Namespace path of this view ('' for the root). */
  readonly namespacePath: string;
  readonly #core: CacheCore;
  readonly #scope: Scope;

  /** @internal use createCache */
  #defaults: Resolved | undefined;

  constructor(core: CacheCore, scope: Scope) {
    this.#core = core;
    this.#scope = scope;
    this.events = core.events;
    this.name = core.name;
    this.namespacePath = scope.path;
  }

  /** A scoped view: keys, tags and clear() apply to this namespace only (and its nested namespaces). */
  namespace(name: string): Cache {
    return new Cache(this.#core, childScope(this.#core.name, this.#scope, name));
  }

  /** Counters and gauges for every tier, the policy snapshot and movements. Cheap; meant for collection time. */
  stats(): CacheStats {
    const stats = this.#core.stats();
    // invalidation hook
    const inv = existingInvalidation(this.#core);
    if (inv !== undefined) stats.invalidation = inv.stats();
    return stats;
  }

  // ---------------------------------------------------------------- reads

  /** The fresh value (or stale, with allowStale) from the first tier that has it; undefined on a miss. */
  async get<V = unknown>(key: string, options?: GetOptions): Promise<V | undefined> {
    const l1Key = this.#l1Key(key);
    const core = this.#core;
    const now = Date.now();
    const e = core.l1.getFresh(l1Key, now);
    if (e !== undefined) {
      core.counters.hits++;
      if (core.events.active.hit || dc.hasSubscribers) this.#emitHit('l1', e.remoteKey);
      return e.value as V;
    }
    return (await this.#getSlow(key, l1Key, now, options?.allowStale === true)) as V | undefined;
  }

  async #getSlow(key: string, l1Key: string, now: number, allowStale: boolean): Promise<unknown> {
    const core = this.#core;
    const where: Where = { key, l1Key, remoteKey: this.#scope.keyPrefix + key };
    const staleL1 = core.l1.getStale(l1Key, now);
    this.#emitMiss('l1', where.remoteKey);
    const found = await this.#readRemotes(where, now, this.#resolve(undefined));
    if (found !== undefined && now < found.freshUntil) {
      core.counters.hits++;
      return found.value;
    }
    const stale = newest(staleL1 === undefined ? undefined : fromEntry(staleL1), found);
    if (allowStale && stale !== undefined) {
      this.#countStaleHit(stale.tier);
      return stale.value;
    }
    core.counters.misses++;
    return undefined;
  }

  /** Whether a fresh value exists in any tier (no promotion, no policy touch). */
  async has(key: string): Promise<boolean> {
    const l1Key = this.#l1Key(key);
    const now = Date.now();
    const e = this.#core.l1.entries.get(l1Key);
    if (e !== undefined && now < e.freshUntil) return true;
    const remoteKey = this.#scope.keyPrefix + key;
    for (const r of this.#core.remotes) {
      const bytes = await r.call('get', (t) => t.get(remoteKey), undefined);
      if (bytes === undefined) continue;
      const rec = this.#decode(r, remoteKey, bytes);
      if (rec !== undefined && now < rec.freshUntil) return true;
    }
    return false;
  }

  /** Values for many keys, in order (undefined for misses). Remote tiers are asked once per tier for all L1 misses. */
  async getMany<V = unknown>(keys: readonly string[]): Promise<(V | undefined)[]> {
    const core = this.#core;
    const now = Date.now();
    const out: (V | undefined)[] = new Array(keys.length);
    const pending: { i: number; where: Where }[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const l1Key = this.#l1Key(key);
      const e = core.l1.getFresh(l1Key, now);
      if (e !== undefined) {
        core.counters.hits++;
        if (core.events.active.hit || dc.hasSubscribers) this.#emitHit('l1', e.remoteKey);
        out[i] = e.value as V;
        continue;
      }
      core.l1.getStale(l1Key, now);
      const where = { key, l1Key, remoteKey: this.#scope.keyPrefix + key };
      this.#emitMiss('l1', where.remoteKey);
      pending.push({ i, where });
    }
    let missing = pending;
    const o = this.#resolve(undefined);
    for (let ti = 0; ti < core.remotes.length && missing.length > 0; ti++) {
      const r = core.remotes[ti]!;
      const rkeys = missing.map((m) => m.where.remoteKey);
      const values = await r.call('getMany', (t) => t.getMany(rkeys), undefined);
      if (values === undefined) continue;
      const next: typeof missing = [];
      for (let j = 0; j < missing.length; j++) {
        const m = missing[j]!;
        const bytes = values[j];
        const rec = bytes === undefined ? undefined : this.#decode(r, m.where.remoteKey, bytes);
        if (rec === undefined || now >= rec.freshUntil) {
          if (bytes === undefined || rec !== undefined) r.counters.misses++;
          this.#emitMiss(r.name, m.where.remoteKey);
          next.push(m);
          continue;
        }
        r.counters.hits++;
        this.#emitHit(r.name, m.where.remoteKey);
        this.#promote(m.where, rec, bytes!, ti, now, o);
        core.counters.hits++;
        out[m.i] = rec.value as V;
      }
      missing = next;
    }
    core.counters.misses += missing.length;
    return out;
  }

  // ---------------------------------------------------------------- writes

  /** Writes a value to every tier. Throws InvalidKeyError / InvalidValueError before any tier is touched. */
  async set<V>(key: string, value: V, options?: SetOptions): Promise<void> {
    const l1Key = this.#l1Key(key);
    const where: Where = { key, l1Key, remoteKey: this.#scope.keyPrefix + key };
    const p = this.#prepare(where, value, this.#resolve(options), Date.now());
    this.#writeL1(p);
    await this.#writeRemotes([p]);
    afterWrite(this.#core, this.#scope, [{ key, dependsOn: options?.dependsOn }]); // invalidation hook
  }

  /** Writes many values; validates all of them before any tier is touched, then uses one batch per remote tier. */
  async setMany<V>(entries: readonly SetManyEntry<V>[]): Promise<void> {
    const now = Date.now();
    const prepared = entries.map((e) => {
      const l1Key = this.#l1Key(e.key);
      return this.#prepare(
        { key: e.key, l1Key, remoteKey: this.#scope.keyPrefix + e.key },
        e.value,
        this.#resolve(e),
        now,
      );
    });
    for (const p of prepared) this.#writeL1(p);
    await this.#writeRemotes(prepared);
    afterWrite(this.#core, this.#scope, entries); // invalidation hook
  }

  /** Removes a key from every tier. True when some tier had it. */
  async delete(key: string): Promise<boolean> {
    const l1Key = this.#l1Key(key);
    const core = this.#core;
    const remoteKey = this.#scope.keyPrefix + key;
    core.retryAfter.delete(remoteKey);
    let removed = core.l1.delete(l1Key) ? 1 : 0;
    const results = await Promise.all(
      core.remotes.map((r) => r.call('delete', (t) => t.delete(remoteKey), false)),
    );
    results.forEach((ok, i) => {
      if (ok) {
        removed = 1;
        core.remotes[i]!.counters.deletes++;
      }
    });
    this.#emitInvalidate('key', remoteKey, removed);
    afterRemove(core, 'keys', [remoteKey], 'delete'); // invalidation hook
    return removed > 0;
  }

  /** Removes many keys from every tier. Returns the largest count any tier removed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const core = this.#core;
    const l1Keys = keys.map((k) => this.#l1Key(k));
    const remoteKeys = keys.map((k) => this.#scope.keyPrefix + k);
    let removed = 0;
    for (const k of l1Keys) if (core.l1.delete(k)) removed++;
    for (const k of remoteKeys) core.retryAfter.delete(k);
    const counts = await Promise.all(
      core.remotes.map((r) => r.call('deleteMany', (t) => t.deleteMany(remoteKeys), 0)),
    );
    counts.forEach((n, i) => {
      core.remotes[i]!.counters.deletes += n;
      removed = Math.max(removed, n);
    });
    for (const k of remoteKeys) this.#emitInvalidate('key', k, removed);
    afterRemove(core, 'keys', remoteKeys, 'delete'); // invalidation hook
    return removed;
  }

  /** Removes every key written with `tag` in this namespace, from every tier. Returns the largest count any tier removed. */
  async deleteByTag(tag: string): Promise<number> {
    if (typeof tag !== 'string' || tag.length === 0) throw invalidTag(tag);
    const core = this.#core;
    const qtag = this.#scope.keyPrefix + tag;
    let removed = core.l1.deleteByTag(qtag);
    const counts = await Promise.all(
      core.remotes.map((r) => r.call('deleteByTag', (t) => t.deleteByTag(qtag), 0)),
    );
    for (const n of counts) removed = Math.max(removed, n);
    this.#emitInvalidate('tag', qtag, removed);
    afterRemove(core, 'tag', [qtag], 'tag'); // invalidation hook
    return removed;
  }

  /** Removes every key of this view (the whole cache at the root, else this namespace and its nested ones) from every tier. */
  async clear(): Promise<number> {
    const core = this.#core;
    const scope = this.#scope;
    let removed = core.l1.clear(scope.l1ClearPrefix);
    for (const k of [...core.retryAfter.keys()])
      if (k.startsWith(scope.clearPrefix)) core.retryAfter.delete(k);
    const counts = await Promise.all(
      core.remotes.map((r) => r.call('clear', (t) => t.clear(scope.clearPrefix), 0)),
    );
    for (const n of counts) removed = Math.max(removed, n);
    this.#emitInvalidate('prefix', scope.clearPrefix, removed);
    afterRemove(core, 'prefix', [scope.clearPrefix], 'clear'); // invalidation hook
    return removed;
  }

  /**
   * Invalidates a key and, transitively, every key set with `dependsOn` it (cycle-safe), or every key with a
   * tag (and their dependents), or every key starting with a prefix, in this view: removed from every tier
   * here, and from the other instances' L1 through the bus. Returns what it removed.
   */
  invalidate(target: InvalidationTarget): Promise<InvalidationResult> {
    return invalidateTarget(this.#core, this.#scope, target);
  }

  /** @internal invalidate() for the webhook receiver (source `webhook` in metrics and bus messages). */
  [INVALIDATE_FROM](target: InvalidationTarget, source: 'local' | 'webhook'): Promise<InvalidationResult> {
    return invalidateTarget(this.#core, this.#scope, target, source);
  }

  /** The invalidation bus of this cache (undefined without `bus` in the config): `ready` resolves once subscribed. */
  get bus():
    | { readonly ready: Promise<void>; readonly origin: string; readonly transport: string }
    | undefined {
    const inv = existingInvalidation(this.#core);
    return inv?.transport === 'none' ? undefined : inv;
  }

  // ---------------------------------------------------------------- read-through

  /**
   * The value for `key`: from the first tier that has it fresh, else from `loader` (once per key across
   * concurrent callers, and across instances with the stampede lock). Serves stale values under
   * stale-while-revalidate, grace (loader failure), and soft timeouts.
   */
  async getOrSet<V>(key: string, loader: Loader<V>, options?: GetOrSetOptions): Promise<V> {
    // The L1 hit block is the same as in get() on purpose: a shared private method measured 4-20 % fewer
    // hits/s (3 alternating runs of 7 x 2M getOrSet), so the hottest path stays inline in both.
    const l1Key = this.#l1Key(key);
    const core = this.#core;
    const now = Date.now();
    const e = core.l1.getFresh(l1Key, now);
    if (e !== undefined) {
      core.counters.hits++;
      if (core.events.active.hit || dc.hasSubscribers) this.#emitHit('l1', e.remoteKey);
      return e.value as V;
    }
    return this.#getOrSetSlow(key, l1Key, now, loader, options);
  }

  /** Returns a function that caches `fn`'s results under `keyFn(...args)`. */
  wrap<A extends unknown[], V>(
    fn: (...args: A) => V | Promise<V>,
    keyFn: (...args: A) => string,
    options?: GetOrSetOptions,
  ): (...args: A) => Promise<V> {
    return (...args: A) => this.getOrSet(keyFn(...args), () => fn(...args), options);
  }

  /** Closes the remote tiers (the cache must not be used afterwards). Closing any view closes the whole cache. */
  async close(): Promise<void> {
    const core = this.#core;
    if (core.closed) return;
    core.closed = true;
    await existingInvalidation(core)?.close(); // invalidation hook
    await Promise.all(core.remotes.map((r) => r.tier.close().catch(() => undefined)));
  }

  /** Installs the tracing hook (telemetry's instrument() does this); undefined removes it. */
  [ATTACH_TRACING](tracing: CacheTracing | undefined): void {
    this.#core.tracing = tracing;
  }

  #getOrSetSlow<V>(
    key: string,
    l1Key: string,
    now: number,
    loader: Loader<V>,
    options: GetOrSetOptions | undefined,
  ): Promise<V> {
    const tracing = this.#core.tracing;
    if (tracing === undefined) return this.#getOrSetMiss(key, l1Key, now, loader, options);
    return tracing.trace('getOrSet', { cache: this.#core.name, namespace: this.#scope.path, key }, () =>
      this.#getOrSetMiss(key, l1Key, now, loader, options),
    );
  }

  #getOrSetMiss<V>(
    key: string,
    l1Key: string,
    now: number,
    loader: Loader<V>,
    options: GetOrSetOptions | undefined,
  ): Promise<V> {
    const core = this.#core;
    const where: Where = { key, l1Key, remoteKey: this.#scope.keyPrefix + key };
    const o = this.#resolve(options);
    const staleEntry = core.l1.getStale(l1Key, now);
    this.#emitMiss('l1', where.remoteKey);
    const staleL1 = staleEntry === undefined ? undefined : fromEntry(staleEntry);
    if (staleL1 !== undefined && now < staleL1.freshUntil + o.swr) {
      this.#startRefresh(where, loader, o, staleL1);
      return Promise.resolve(this.#serveStale(staleL1, where, 'swr') as V);
    }
    const running = core.inflight.get(where.remoteKey);
    if (running !== undefined) {
      core.counters.coalesced++;
      core.tracing?.coalesced();
      if (core.events.wants('coalesce'))
        core.events.emit({ type: 'coalesce', cache: core.name, key: where.remoteKey });
      return running as Promise<V>;
    }
    const flight = this.#flight(where, loader, o, staleL1, false);
    core.inflight.set(where.remoteKey, flight);
    const done = () => {
      if (core.inflight.get(where.remoteKey) === flight) core.inflight.delete(where.remoteKey);
    };
    flight.then(done, done);
    return flight as Promise<V>;
  }

  /** Stale-while-revalidate: one background refresh per key (joins nothing, never throws). */
  #startRefresh<V>(where: Where, loader: Loader<V>, o: Resolved, stale: Found): void {
    const core = this.#core;
    if (core.inflight.has(where.remoteKey)) return;
    core.counters.backgroundRefreshes++;
    const flight = this.#flight(where, loader, o, stale, true);
    core.inflight.set(where.remoteKey, flight);
    const done = () => {
      if (core.inflight.get(where.remoteKey) === flight) core.inflight.delete(where.remoteKey);
    };
    flight.then(done, done);
  }

  /** One load of one key: remote tiers, then (under the stampede lock) the loader. */
  async #flight<V>(
    where: Where,
    loader: Loader<V>,
    o: Resolved,
    staleL1: Found | undefined,
    refresh: boolean,
  ): Promise<V> {
    const core = this.#core;
    const now = Date.now();
    const found = await this.#readRemotes(where, now, o);
    if (found !== undefined && now < found.freshUntil) {
      core.counters.hits++;
      core.tracing?.result('hit');
      return found.value as V;
    }
    const stale = newest(staleL1, found);
    if (!refresh) {
      if (stale !== undefined && stale.tier !== 'l1' && now < stale.freshUntil + o.swr) {
        // A stale value from a remote tier within its stale-while-revalidate window: serve it, refresh behind.
        // Registered as the key's in-flight load so concurrent misses join it instead of refreshing again.
        core.counters.backgroundRefreshes++;
        const bg = this.#loadGuarded(where, loader, o, stale, true);
        core.inflight.set(where.remoteKey, bg);
        const done = () => {
          if (core.inflight.get(where.remoteKey) === bg) core.inflight.delete(where.remoteKey);
        };
        bg.then(done, done);
        return this.#serveStale(stale, where, 'swr') as V;
      }
      const retry = core.retryAfter.get(where.remoteKey);
      if (
        retry !== undefined &&
        stale !== undefined &&
        Date.now() < retry.until &&
        now < stale.freshUntil + o.grace
      ) {
        return this.#serveStale(stale, where, 'backoff') as V;
      }
      core.counters.misses++;
    }
    return this.#loadGuarded(where, loader, o, stale, refresh);
  }

  /** Takes the stampede lock when configured (or waits for the holder's value), then runs the loader. */
  async #loadGuarded<V>(
    where: Where,
    loader: Loader<V>,
    o: Resolved,
    stale: Found | undefined,
    refresh: boolean,
  ): Promise<V> {
    const lock = this.#core.lock;
    if (lock === undefined || !lock.enabled || !o.lock)
      return this.#runLoader(where, loader, o, stale, refresh, undefined);
    const got = await this.#acquire(where, o);
    if ('value' in got) return got.value as V;
    return this.#runLoader(where, loader, o, stale, refresh, got.handle);
  }

  async #acquire(
    where: Where,
    o: Resolved,
  ): Promise<{ value: unknown } | { handle: LockHandle | undefined }> {
    const core = this.#core;
    const cfg = core.lock!;
    const name = where.remoteKey;
    const tryOnce = async (): Promise<LockHandle | undefined | null> => {
      try {
        return await cfg.lock.tryAcquire(name, cfg.ttlMs);
      } catch (error) {
        core.counters.lockErrors++;
        if (core.events.wants('lock'))
          core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'error' });
        void error;
        return null;
      }
    };
    const recheck = async (): Promise<{ value: unknown } | undefined> => {
      const now = Date.now();
      const found = await this.#readRemotes(where, now, o, false);
      return found !== undefined && now < found.freshUntil ? { value: found.value } : undefined;
    };
    const acquired = async (h: LockHandle): Promise<{ value: unknown } | { handle: LockHandle }> => {
      core.counters.lockAcquired++;
      if (core.events.wants('lock'))
        core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'acquired' });
      // Another holder may have finished between our read and the acquire.
      const v = await recheck();
      if (v === undefined) return { handle: h };
      await h.release().catch(() => undefined);
      return v;
    };
    let handle = await tryOnce();
    if (handle === null) return { handle: undefined };
    if (handle !== undefined) return acquired(handle);
    core.counters.lockWaited++;
    if (core.events.wants('lock'))
      core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'waited' });
    const deadline = Date.now() + cfg.ttlMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      await sleep(Math.min(backoffDelay(attempt, cfg.pollMs, 250), Math.max(1, deadline - Date.now())));
      const v = await recheck();
      if (v !== undefined) return v;
      handle = await tryOnce();
      if (handle === null) return { handle: undefined };
      if (handle !== undefined) return acquired(handle);
    }
    core.counters.lockExpired++;
    if (core.events.wants('lock'))
      core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'expired' });
    return { handle: undefined };
  }

  /** Calls the loader with soft/hard timeouts; stores the result; serves stale under grace or soft timeout. */
  async #runLoader<V>(
    where: Where,
    loader: Loader<V>,
    o: Resolved,
    stale: Found | undefined,
    refresh: boolean,
    handle: LockHandle | undefined,
  ): Promise<V> {
    const core = this.#core;
    const c = core.counters;
    const started = performance.now();
    const ac = new AbortController();
    const ctx: LoaderContext<V> = {
      key: where.key,
      namespace: this.#scope.path,
      stale: stale?.value as V | undefined,
      signal: ac.signal,
    };
    c.loaderCalls++;
    const call = () =>
      new Promise<V>((resolve, reject) => {
        try {
          Promise.resolve(loader(ctx)).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    const tracing = core.tracing;
    if (!refresh) tracing?.result('miss');
    const loaded =
      tracing === undefined
        ? call()
        : tracing.trace('loader', { cache: core.name, namespace: this.#scope.path, key: where.key }, call);
    const stored = loaded.then(async (value) => {
      const p = this.#prepare(where, value, o, Date.now());
      this.#writeL1(p);
      await this.#writeRemotes([p]);
      return value;
    });
    const timed = withTimeout(stored, o.hard, `loader for key "${where.key}"`, () => ac.abort());
    const settled = timed.then(
      (value) => {
        c.loaderSuccess++;
        core.retryAfter.delete(where.remoteKey);
        this.#emitLoad(where, 'success', started, undefined);
        return value;
      },
      (error: unknown) => {
        if (error instanceof TimeoutError) c.loaderTimeout++;
        else c.loaderError++;
        this.#emitLoad(where, error instanceof TimeoutError ? 'timeout' : 'error', started, error);
        throw error;
      },
    );
    const finished = settled.finally(() => {
      if (handle !== undefined) void handle.release().catch(() => undefined);
    });
    if (!refresh && stale !== undefined && o.soft > 0 && !(o.hard > 0 && o.hard <= o.soft)) {
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        finished.then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
        new Promise<typeof SOFT>((resolve) => {
          timer = setTimeout(() => resolve(SOFT), o.soft);
        }),
      ]);
      clearTimeout(timer);
      if (first === SOFT) {
        c.backgroundRefreshes++;
        finished.catch(() => undefined);
        return this.#serveStale(stale, where, 'soft-timeout') as V;
      }
      if (first.ok) return first.v;
      return this.#onLoaderFailure(where, first.e, o, stale, refresh);
    }
    try {
      return await finished;
    } catch (error) {
      return this.#onLoaderFailure(where, error, o, stale, refresh);
    }
  }

  #onLoaderFailure<V>(
    where: Where,
    error: unknown,
    o: Resolved,
    stale: Found | undefined,
    refresh: boolean,
  ): V {
    const core = this.#core;
    if (error instanceof InvalidValueError) {
      core.counters.errors++;
      throw error;
    }
    const now = Date.now();
    if (stale !== undefined && now < stale.freshUntil + o.grace && now < stale.staleUntil) {
      const prev = core.retryAfter.get(where.remoteKey);
      const failures = (prev?.failures ?? 0) + 1;
      const delay = Math.min(o.graceBackoff * 2 ** (failures - 1), o.graceBackoff * MAX_BACKOFF_FACTOR);
      core.retryAfter.set(where.remoteKey, { until: now + delay, failures });
      if (refresh) return stale.value as V;
      return this.#serveStale(stale, where, 'grace') as V;
    }
    if (refresh) throw error;
    core.counters.errors++;
    if (error instanceof TimeoutError || error instanceof OmniCacheError) throw error;
    throw new LoaderError(where.key, { cause: error });
  }

  // ---------------------------------------------------------------- tiers

  /**
   * L2 then L3: the first fresh record wins and is promoted to the tiers above it; otherwise the newest
   * stale record (or undefined). Undecodable bytes count as a miss plus a decode-error.
   */
  async #readRemotes(where: Where, now: number, o: Resolved, emitMisses = true): Promise<Found | undefined> {
    const remotes = this.#core.remotes;
    let stale: Found | undefined;
    for (let i = 0; i < remotes.length; i++) {
      const r = remotes[i]!;
      const bytes = await r.call('get', (t) => t.get(where.remoteKey), undefined, {
        namespace: this.#scope.path,
        key: where.key,
      });
      const rec = bytes === undefined ? undefined : this.#decode(r, where.remoteKey, bytes);
      if (rec !== undefined && now < rec.freshUntil) {
        r.counters.hits++;
        this.#emitHit(r.name, where.remoteKey);
        this.#promote(where, rec, bytes!, i, now, o);
        return { value: rec.value, freshUntil: rec.freshUntil, staleUntil: rec.staleUntil, tier: r.name };
      }
      if (
        rec !== undefined &&
        now < rec.staleUntil &&
        (stale === undefined || rec.freshUntil > stale.freshUntil)
      ) {
        stale = { value: rec.value, freshUntil: rec.freshUntil, staleUntil: rec.staleUntil, tier: r.name };
      }
      if (emitMisses) {
        r.counters.misses++;
        this.#emitMiss(r.name, where.remoteKey);
      }
    }
    return stale;
  }

  #decode(r: RemoteTier, remoteKey: string, bytes: Uint8Array): StoredRecord | undefined {
    try {
      return this.#core.codec.decode(bytes);
    } catch (error) {
      r.counters.decodeErrors++;
      const ev = this.#core.events;
      if (ev.wants('decode-error')) {
        ev.emit({ type: 'decode-error', cache: this.#core.name, tier: r.name, key: remoteKey, error });
      }
      return undefined;
    }
  }

  /** A fresh record found in remote tier `index` fills L1 and every remote tier above it. */
  #promote(
    where: Where,
    rec: StoredRecord,
    bytes: Uint8Array,
    index: number,
    now: number,
    o: Resolved,
  ): void {
    const core = this.#core;
    const r = core.remotes[index]!;
    const qualifiedTags = rec.tags?.map((t) => this.#scope.keyPrefix + t);
    core.l1.set(where.l1Key, {
      value: rec.value,
      freshUntil: rec.freshUntil,
      staleUntil: rec.staleUntil,
      ttl: rec.ttl,
      sliding: o.sliding,
      remoteKey: where.remoteKey,
      qualifiedTags,
      tags: rec.tags,
      size: core.l1.maxBytes === undefined ? bytes.length : safeSize(rec.value, bytes.length),
    });
    core.countMovement(r.name, 'l1');
    this.#emitMove('promote', r.name, 'l1', where.remoteKey);
    const ttlMs = rec.staleUntil - now;
    for (let i = 0; i < index; i++) {
      const up = core.remotes[i]!;
      void up
        .call(
          'set',
          (t) => t.set(where.remoteKey, bytes, qualifiedTags ? { ttlMs, tags: qualifiedTags } : { ttlMs }),
          false,
        )
        .then((ok) => {
          if (ok === false) return;
          up.counters.sets++;
          core.countMovement(r.name, up.name);
          this.#emitMove('promote', r.name, up.name, where.remoteKey);
        });
    }
  }

  /** Validates and encodes; throws InvalidValueError before anything is written. */
  #prepare(where: Where, value: unknown, o: Resolved, now: number): Prepared {
    const core = this.#core;
    const size = checkValue(value);
    const ttl = o.jitter > 0 ? Math.max(1, Math.round(o.ttl * (1 - o.jitter * Math.random()))) : o.ttl;
    const freshUntil = now + ttl;
    const record: StoredRecord = {
      value,
      freshUntil,
      staleUntil: freshUntil + Math.max(o.grace, o.swr),
      ttl,
      tags: o.tags,
    };
    let bytes: Uint8Array | undefined;
    if (core.hasRemotes) {
      bytes = core.codec.encode(record);
      if (bytes.length > core.maxValueBytes) {
        throw new InvalidValueError(
          `value for key "${where.key}" encodes to ${bytes.length} bytes, over maxValueBytes ${core.maxValueBytes}; store less or raise maxValueBytes`,
        );
      }
    } else if (size > core.maxValueBytes) {
      throw new InvalidValueError(
        `value for key "${where.key}" is about ${size} bytes, over maxValueBytes ${core.maxValueBytes}; store less or raise maxValueBytes`,
      );
    }
    const qualifiedTags = o.tags?.map((t) => this.#scope.keyPrefix + t);
    return { where, record, size, bytes, qualifiedTags, sliding: o.sliding };
  }

  #writeL1(p: Prepared): void {
    const core = this.#core;
    const rec = p.record;
    core.l1.set(p.where.l1Key, {
      value: rec.value,
      freshUntil: rec.freshUntil,
      staleUntil: rec.staleUntil,
      ttl: rec.ttl,
      sliding: p.sliding,
      remoteKey: p.where.remoteKey,
      qualifiedTags: p.qualifiedTags,
      tags: rec.tags,
      size: p.size,
    });
    const ev = core.events;
    if (ev.wants('set'))
      ev.emit({ type: 'set', cache: core.name, tier: 'l1', key: p.where.remoteKey, ttlMs: rec.ttl });
  }

  async #writeRemotes(prepared: readonly Prepared[]): Promise<void> {
    const core = this.#core;
    if (!core.hasRemotes || prepared.length === 0) return;
    const now = Date.now();
    const writes: TierWrite[] = prepared.map((p) => {
      const w: TierWrite = {
        key: p.where.remoteKey,
        value: p.bytes!,
        ttlMs: Math.max(1, p.record.staleUntil - now),
      };
      if (p.qualifiedTags !== undefined) w.tags = p.qualifiedTags;
      return w;
    });
    await Promise.all(
      core.remotes.map(async (r) => {
        const ok =
          writes.length === 1
            ? await r.call('set', (t) => t.set(writes[0]!.key, writes[0]!.value, writes[0]!), false)
            : await r.call('setMany', (t) => t.setMany(writes), false);
        if (ok === false) return;
        r.counters.sets += writes.length;
        const ev = core.events;
        if (ev.wants('set')) {
          for (const p of prepared) {
            ev.emit({
              type: 'set',
              cache: core.name,
              tier: r.name,
              key: p.where.remoteKey,
              ttlMs: p.record.ttl,
            });
          }
        }
      }),
    );
  }

  // ---------------------------------------------------------------- helpers

  #l1Key(key: string): string {
    if (
      typeof key !== 'string' ||
      key.length === 0 ||
      key.length > this.#core.maxKeyLength ||
      key.charCodeAt(0) === 0
    ) {
      throw invalidKey(key, this.#core.maxKeyLength);
    }
    const prefix = this.#scope.l1Prefix;
    return prefix === '' ? key : prefix + key;
  }

  #resolve(options: GetOrSetOptions | undefined): Resolved {
    if (options === undefined) {
      // Calls without options (the common case) share one resolved object; nothing mutates it.
      this.#defaults ??= this.#resolveOptions(undefined);
      return this.#defaults;
    }
    return this.#resolveOptions(options);
  }

  #resolveOptions(options: GetOrSetOptions | undefined): Resolved {
    const d = this.#core.defaults;
    const tags = options?.tags;
    if (tags !== undefined) {
      if (!Array.isArray(tags)) throw invalidTag(tags);
      for (const t of tags) if (typeof t !== 'string' || t.length === 0) throw invalidTag(t);
    }
    const o: Resolved = {
      ttl: options?.ttl ?? d.ttl,
      grace: options?.grace ?? d.grace,
      swr: options?.staleWhileRevalidate ?? d.staleWhileRevalidate,
      jitter: options?.jitter ?? d.jitter,
      sliding: options?.sliding ?? d.sliding,
      soft: options?.softTimeout ?? d.timeouts.soft,
      hard: options?.hardTimeout ?? d.timeouts.hard,
      graceBackoff: options?.graceBackoff ?? d.graceBackoff,
      lock: options?.lock ?? true,
      tags: undefined,
    };
    const withDeps = dependencyTags(tags, options?.dependsOn, this.#core.maxKeyLength); // invalidation hook
    if (withDeps !== undefined && withDeps.length > 0) o.tags = withDeps;
    if (!(o.ttl > 0) || !Number.isFinite(o.ttl)) {
      throw new InvalidValueError(
        `ttl must be a positive finite number of milliseconds, got ${String(o.ttl)}`,
      );
    }
    for (const [name, v] of [
      ['grace', o.grace],
      ['staleWhileRevalidate', o.swr],
      ['softTimeout', o.soft],
      ['hardTimeout', o.hard],
      ['graceBackoff', o.graceBackoff],
    ] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new InvalidValueError(
          `${name} must be a non-negative finite number of milliseconds, got ${String(v)}`,
        );
      }
    }
    if (!(o.jitter >= 0 && o.jitter <= 1))
      throw new InvalidValueError(`jitter must be between 0 and 1, got ${o.jitter}`);
    return o;
  }

  #serveStale(stale: Found, where: Where, reason: StaleReason): unknown {
    const c = this.#core.counters;
    if (reason === 'swr') c.staleSwr++;
    else if (reason === 'grace') c.staleGrace++;
    else if (reason === 'soft-timeout') c.staleSoftTimeout++;
    else c.staleBackoff++;
    this.#countStaleHit(stale.tier);
    this.#core.tracing?.result('stale');
    const ev = this.#core.events;
    if (ev.wants('stale')) {
      ev.emit({ type: 'stale', cache: this.#core.name, tier: stale.tier, key: where.remoteKey, reason });
    }
    return stale.value;
  }

  #countStaleHit(tier: TierName): void {
    const core = this.#core;
    if (tier === 'l1') core.l1Counters.staleHits++;
    else for (const r of core.remotes) if (r.name === tier) r.counters.staleHits++;
  }

  #emitHit(tier: TierName, key: string): void {
    const ev = this.#core.events;
    if (ev.wants('hit')) ev.emit({ type: 'hit', cache: this.#core.name, tier, key });
  }

  #emitMiss(tier: TierName, key: string): void {
    const ev = this.#core.events;
    if (ev.wants('miss')) ev.emit({ type: 'miss', cache: this.#core.name, tier, key });
  }

  #emitMove(type: 'promote' | 'demote', from: TierName, to: TierName, key: string): void {
    const ev = this.#core.events;
    if (ev.wants(type)) ev.emit({ type, cache: this.#core.name, from, to, key });
  }

  #emitInvalidate(scope: 'key' | 'tag' | 'prefix', target: string, removed: number): void {
    const ev = this.#core.events;
    if (ev.wants('invalidate'))
      ev.emit({ type: 'invalidate', cache: this.#core.name, scope, target, removed });
  }

  #emitLoad(where: Where, outcome: 'success' | 'error' | 'timeout', started: number, error: unknown): void {
    const ev = this.#core.events;
    if (!ev.wants('load')) return;
    const durationMs = performance.now() - started;
    ev.emit(
      error === undefined
        ? { type: 'load', cache: this.#core.name, key: where.remoteKey, outcome, durationMs }
        : { type: 'load', cache: this.#core.name, key: where.remoteKey, outcome, durationMs, error },
    );
  }
}

function fromEntry(e: L1Entry): Found {
  return { value: e.value, freshUntil: e.freshUntil, staleUntil: e.staleUntil, tier: 'l1' };
}

function newest(a: Found | undefined, b: Found | undefined): Found | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.freshUntil > a.freshUntil ? b : a;
}

function safeSize(value: unknown, fallback: number): number {
  try {
    return checkValue(value);
  } catch {
    return fallback;
  }
}

/**
 * Creates a tiered cache. The config is validated: a malformed field throws ConfigError naming it.
 *
 * ```ts
 * const cache = createCache({ name: 'app', l1: { capacity: 10_000 }, l2: redisTier({ connection: 'redis://127.0.0.1:6379' }) });
 * const user = await cache.getOrSet(`user:${id}`, () => db.users.find(id), { ttl: 60_000, tags: ['users'] });
 * ```
 */
export function createCache(config: CacheConfig): Cache {
  const resolved = parseCacheConfig(config);
  const core = new CacheCore(resolved);
  attachBus(core, resolved.bus); // invalidation hook
  return new Cache(core, rootScope(resolved.name));
}

export type { CacheConfig } from './cache/config.js';

import type { SkipCache } from './skip-cache.js';

/** Options for writes. Durations are milliseconds. Unset fields fall back to the cache's `defaults`. */
export interface SetOptions {
  /** Fresh time to live. */
  ttl?: number;
  /** Tags for deleteByTag. Non-empty strings. */
  tags?: readonly string[];
  /** How long past freshness a value may still be served when the loader fails. */
  grace?: number;
  /** How long past freshness a value is served while it is refreshed in the background. */
  staleWhileRevalidate?: number;
  /** Fraction (0..1) by which the ttl is randomly shortened, to spread expirations. */
  jitter?: number;
  /** Extend freshness by `ttl` on every L1 hit. */
  sliding?: boolean;
  /** Data subject the value belongs to (e.g. a user id): `eraseSubject(subject)` deletes it from every tier. */
  subject?: string;
  /**
   * Keys (in the same namespace) this value was derived from: invalidate(dep) also invalidates this key,
   * transitively. Kept as tags, so L2 knows the edges for every instance.
   */
  dependsOn?: readonly string[];
}

export interface GetOrSetOptions extends SetOptions {
  /** When a stale value exists and the loader is slower than this, serve the stale value and let the loader finish in the background. 0 = off. */
  softTimeout?: number;
  /** Fail (TimeoutError, or grace) when the loader takes longer than this. 0 = off. */
  hardTimeout?: number;
  /** Base delay before the loader is retried after a failure that was answered from grace (doubles per failure, up to 10x). */
  graceBackoff?: number;
  /** Use the cross-instance stampede lock for this call (default: true when the cache has a lock). */
  lock?: boolean;
}

export interface GetOptions {
  /** Also return a stale value (within its grace / stale-while-revalidate window). Default false. */
  allowStale?: boolean;
}

export interface LoaderContext<V> {
  /** The key as given (unqualified). */
  key: string;
  /** Namespace path of the cache view ('' at the root). */
  namespace: string;
  /** The stale value, when one exists. */
  stale: V | undefined;
  /** Aborted when the hard timeout fires. */
  signal: AbortSignal;
  /**
   * Answer with `value` without storing it in any tier: `return ctx.skipCache(value)`. Callers waiting on the same
   * load get it too. Counts as a successful load (not a loader error), e.g. for a response that must not be shared.
   */
  skipCache(value: V): SkipCache<V>;
}

export type Loader<V> = (context: LoaderContext<V>) => V | SkipCache<V> | Promise<V | SkipCache<V>>;

/** The defaults a call without options uses (`cache.defaults`): windows in milliseconds, read-only. */
export interface CacheDefaults {
  readonly ttl: number;
  readonly grace: number;
  readonly staleWhileRevalidate: number;
  readonly graceBackoff: number;
  readonly jitter: number;
  readonly sliding: boolean;
  readonly timeouts: { readonly soft: number; readonly hard: number; readonly tier: number };
}

export interface SetManyEntry<V = unknown> extends SetOptions {
  key: string;
  value: V;
}

import type { CacheCore } from './core.js';

/** The attachment point for the invalidation layer (Part 2 of issue 8): `cache[CONSISTENCY]()`. */
export const CONSISTENCY: unique symbol = Symbol('omnicache.consistency');

/**
 * What the invalidation layer (bus consumers, dependency graph) may do to one cache process, in its terms:
 * fully qualified remote keys (`${cache}::${key}`, `${cache}:${ns}::${key}`), qualified tags, clear
 * prefixes, and record versions (hybrid-logical-clock stamps, see versions.ts).
 *
 * The invalidate* methods act on this process only: they make every read, load, promotion or write-back
 * of the affected keys that is in flight here unable to land, and drop the keys from L1. They do not touch
 * remote tiers (the instance where the invalidation started already did) and publish nothing.
 */
export interface CacheConsistency {
  /** A new version for something this process is about to publish (greater than all it issued or observed). */
  stamp(): number;
  /** Folds in a version received from elsewhere (a bus message), so this process's later stamps exceed it. */
  observe(version: number): void;
  /** The version of the value L1 holds for `remoteKey`, or undefined when L1 holds none. */
  l1Version(remoteKey: string): number | undefined;
  /**
   * Invalidates one key. With `version`, an L1 value written with a higher version (newer than the
   * invalidation) is kept; in-flight operations are stopped either way. Returns the L1 entries removed (0 or 1).
   */
  invalidateKey(remoteKey: string, version?: number): number;
  /** Invalidates every key tagged with `qualifiedTag`. Returns the L1 entries removed. */
  invalidateTag(qualifiedTag: string): number;
  /** Invalidates every key starting with `prefix` (a clear prefix: `${cache}:` or `${cache}:${ns}:`). */
  invalidatePrefix(prefix: string): number;
}

/** Implements CacheConsistency over the shared core of one cache. */
export class Consistency implements CacheConsistency {
  readonly #core: CacheCore;
  readonly #rootPrefix: string;

  constructor(core: CacheCore) {
    this.#core = core;
    this.#rootPrefix = `${core.name}:`;
  }

  stamp(): number {
    return this.#core.versions.stamp();
  }

  observe(version: number): void {
    this.#core.versions.observe(version);
  }

  l1Version(remoteKey: string): number | undefined {
    const l1Key = this.#l1Key(remoteKey);
    return l1Key === undefined ? undefined : this.#core.l1.entries.get(l1Key)?.version;
  }

  invalidateKey(remoteKey: string, version?: number): number {
    const core = this.#core;
    core.versions.bumpKey(remoteKey);
    core.retryAfter.delete(remoteKey);
    const l1Key = this.#l1Key(remoteKey);
    if (l1Key === undefined) return 0;
    const e = core.l1.entries.get(l1Key);
    if (e === undefined || (version !== undefined && e.version > version)) return 0;
    return core.l1.delete(l1Key) ? 1 : 0;
  }

  invalidateTag(qualifiedTag: string): number {
    this.#core.versions.invalidateTag(qualifiedTag);
    return this.#core.l1.deleteByTag(qualifiedTag);
  }

  invalidatePrefix(prefix: string): number {
    const core = this.#core;
    core.versions.invalidatePrefix(prefix);
    if (!prefix.startsWith(this.#rootPrefix)) return 0;
    const path = prefix.slice(this.#rootPrefix.length);
    // L1 keys: the user's key at the root, `\0${path}:\0${key}` in a namespace (see scope.ts).
    return core.l1.clear(path === '' ? '' : `\0${path}`);
  }

  /** The L1 key of a remote key of this cache, undefined for another cache's key. */
  #l1Key(remoteKey: string): string | undefined {
    if (!remoteKey.startsWith(this.#rootPrefix)) return undefined;
    const rest = remoteKey.slice(this.#rootPrefix.length);
    if (rest.startsWith(':')) return rest.slice(1);
    const split = rest.indexOf('::');
    if (split <= 0) return undefined;
    return `\0${rest.slice(0, split)}:\0${rest.slice(split + 2)}`;
  }
}

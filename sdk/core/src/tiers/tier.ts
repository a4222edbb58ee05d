/**
 * A remote (out-of-process) tier: L2 Redis / Redis Cluster, L3 GCS or a local directory.
 * Tiers store opaque bytes produced by the codec (sdk/core/src/codec); they never see user values.
 * Keys and tags arrive fully qualified by the cache (cache name + namespace + key), so a tier
 * applies no naming of its own beyond what its storage needs (hash tags, object names, file names).
 */
export type TierKind = 'redis' | 'redis-cluster' | 'gcs' | 'fs';

export interface TierSetOptions {
  /** Physical time to live in ms: after this the tier may drop the bytes (covers the stale/grace window). */
  ttlMs: number;
  /** Fully qualified tags; deleteByTag(tag) must remove every key written with it. */
  tags?: readonly string[];
  /**
   * The version of the write (StoredRecord.version, a hybrid-logical-clock stamp). A tier that can compare
   * it keeps the higher version when two processes write one key (fs does); others may ignore it.
   */
  version?: number;
}

export interface TierWrite extends TierSetOptions {
  key: string;
  value: Uint8Array;
}

/** What `Tier.read` found for a key: its value (undefined for none) and its state. */
export interface TierRead {
  value: Uint8Array | undefined;
  /**
   * Opaque token naming the key's current state in the tier: which write put the value there, which key delete
   * left the tombstone, or '' when the tier holds nothing for the key. Equal tokens mean nothing was written or
   * deleted in between. Passed back to `setIfUnchanged`.
   */
  state: string;
}

export interface TierKeysPage {
  keys: string[];
  /** Where the next page starts; undefined when the listing is complete. */
  cursor: string | undefined;
}

export interface Tier {
  readonly kind: TierKind;
  /**
   * When set, the tier itself fails any call that takes longer than this many ms. The cache then adds
   * no timeout of its own unless its configured budget for the tier is shorter.
   */
  readonly callTimeoutMs?: number;
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Conditional writes (see docs/invalidation.md, "Write-backs that span an invalidation"). A tier that sets
   * `tombstoneMs` > 0 also implements `read` and `setIfUnchanged`, and its key deletes (delete, deleteMany,
   * deleteEach) leave a tombstone for `tombstoneMs` instead of nothing, even for a key it does not hold: a
   * state that a write-back started before the delete cannot match. Tombstones read as misses.
   */
  readonly tombstoneMs?: number;
  /** As get, with the key's state token (conditional tiers only). */
  read?(key: string): Promise<TierRead>;
  /**
   * Writes only if the key's state is still `expected` (a token `read` returned; '' = nothing there), atomically
   * in the tier: false when it changed (a write or a delete happened since that read), nothing written then.
   */
  setIfUnchanged?(write: TierWrite, expected: string): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * Writes and deletes of one key take effect in the order they were called (a set issued after a delete
   * of the same key lands after it, and the other way round), also when an earlier call is still running.
   */
  set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void>;
  /** As set() for each write, in order: when a key appears twice, the later write wins. */
  setMany(writes: readonly TierWrite[]): Promise<void>;
  delete(key: string): Promise<boolean>;
  deleteMany(keys: readonly string[]): Promise<number>;
  /**
   * As deleteMany, telling for each key (in order) whether it existed. Optional: without it the cache knows only
   * the batch count (then a key's invalidate event says removed: 1 only when the whole batch was removed).
   */
  deleteEach?(keys: readonly string[]): Promise<boolean[]>;
  deleteByTag(tag: string): Promise<number>;
  /**
   * What the tier holds as last accounted, without I/O (read at metrics collection time). undefined when
   * the tier cannot tell cheaply (or not yet).
   */
  usage?(): { entries: number; bytes: number } | undefined;
  /**
   * Keys starting with `prefix`, one page per call, for maintenance such as re-encryption (`omnicache keys
   * rotate`): pass the returned cursor to continue (a string, so a run can be resumed later); undefined when
   * done. Pages may hold more or fewer than `limit` keys; keys written or removed meanwhile may or may not appear.
   */
  keys?(prefix: string, cursor: string | undefined, limit: number): Promise<TierKeysPage>;
  /**
   * The keys written with a qualified tag, when the tier indexes tags and can list them (Redis: the tag set).
   * The cache uses it to follow dependency edges (`dependsOn`) that other instances wrote.
   */
  tagMembers?(tag: string): Promise<string[]>;
  /** Removes every key starting with `prefix` (a cache or namespace prefix). Returns how many were removed. */
  clear(prefix: string): Promise<number>;
  close(): Promise<void>;
}

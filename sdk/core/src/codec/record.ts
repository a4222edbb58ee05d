/**
 * What a remote tier stores for one key (inside the envelope): the value plus the entry metadata, so a
 * hit in L2/L3 restores freshness exactly (fresh until, stale until, the ttl for sliding, the tags).
 */
export interface StoredRecord {
  value: unknown;
  /** Epoch ms until which the value is fresh. */
  freshUntil: number;
  /** Epoch ms until which the value may be served stale (stale-while-revalidate / grace); >= freshUntil. */
  staleUntil: number;
  /** The fresh ttl in ms the value was written with (after jitter); sliding expiration extends by it. */
  ttl: number;
  /** Tags as the user gave them (unqualified). */
  tags: readonly string[] | undefined;
  /**
   * The version of the write that produced this value: a hybrid-logical-clock stamp (see
   * cache/versions.ts), so two writes of one key from different processes can be ordered. 0 for records
   * written before versions existed.
   */
  version: number;
}

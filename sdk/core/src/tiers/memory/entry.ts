/** One L1 entry. Mutable on purpose: sliding expiration extends it in place without allocating. */
export interface L1Entry {
  value: unknown;
  freshUntil: number;
  staleUntil: number;
  /** Fresh ttl in ms (after jitter), for sliding expiration and demotion. */
  ttl: number;
  sliding: boolean;
  /** Fully qualified key used by remote tiers (for demotion and events). */
  remoteKey: string;
  /** Fully qualified tags (L1 tag index keys). */
  qualifiedTags: readonly string[] | undefined;
  /** Tags as the user gave them (written into demoted records). */
  tags: readonly string[] | undefined;
  /** Estimated size in bytes. */
  size: number;
  /** Version of the write that produced the value (StoredRecord.version); written into demoted records. */
  version: number;
}

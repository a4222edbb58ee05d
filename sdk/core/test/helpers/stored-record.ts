import type { StoredRecord } from '../../src/codec/record.js';

/** A record as a remote tier stores it, with fixed metadata: what codec tests encode. */
export const rec = (value: unknown, tags?: string[]): StoredRecord => ({
  value,
  freshUntil: 1_700_000_000_000,
  staleUntil: 1_700_000_060_000,
  ttl: 30_000,
  tags,
  version: 1_780_000_000_000 * 1024 + 5,
});

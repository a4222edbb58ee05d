import { ENCRYPTION_FAILURE_REASONS, type EncryptionFailureReason } from './errors.js';

export type EncryptionOperation = 'encrypt' | 'decrypt';

/** Encryption figures for cache.stats() and the metrics (omnicache.encryption.*). */
export interface EncryptionStats {
  provider: string;
  /** The key new values are sealed under. */
  currentKeyId: string;
  encryptions: number;
  decryptions: number;
  /** Failures by operation and reason (every reason present, zero when none). */
  failures: Record<EncryptionOperation, Record<EncryptionFailureReason, number>>;
  dekCache: { hits: number; misses: number; entries: number };
  dataKeysGenerated: number;
  providerCalls: number;
  providerErrors: number;
  /** Age in ms of every key in the ring whose creation time the provider knows. */
  keyAgesMs: Record<string, number>;
}

function zeroes(): Record<EncryptionFailureReason, number> {
  const r = {} as Record<EncryptionFailureReason, number>;
  for (const reason of ENCRYPTION_FAILURE_REASONS) r[reason] = 0;
  return r;
}

/** Plain counters, incremented by the Encryptor and read at collection time. */
export class EncryptionCounters {
  encryptions = 0;
  decryptions = 0;
  dekCacheHits = 0;
  dekCacheMisses = 0;
  dataKeysGenerated = 0;
  providerCalls = 0;
  providerErrors = 0;
  readonly failures: Record<EncryptionOperation, Record<EncryptionFailureReason, number>> = {
    encrypt: zeroes(),
    decrypt: zeroes(),
  };

  fail(operation: EncryptionOperation, reason: EncryptionFailureReason): void {
    this.failures[operation][reason]++;
  }
}

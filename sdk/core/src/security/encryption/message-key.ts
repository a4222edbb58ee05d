import { hkdfSync } from 'node:crypto';
import { COMMITMENT_BYTES, SUITE_AES256GCM_HKDF_SHA512_COMMIT } from './sealed-format.js';

const INFO = Buffer.from([
  ...Buffer.from('omnicache/v1 AES-256-GCM HKDF-SHA-512 commit', 'ascii'),
  SUITE_AES256GCM_HKDF_SHA512_COMMIT,
]);

/**
 * One HKDF-SHA-512 (extract with the per-value salt, expand to 64 bytes) over the data key: the first 32 bytes
 * are the AES-256-GCM message key, the last 32 the commitment stored in the header. A different data key gives
 * a different commitment, so one ciphertext cannot open under two keys (key commitment).
 */
export function deriveMessageKey(dek: Uint8Array, salt: Uint8Array): { key: Buffer; commitment: Buffer } {
  const out = Buffer.from(hkdfSync('sha512', dek, salt, INFO, 32 + COMMITMENT_BYTES));
  return { key: out.subarray(0, 32), commitment: out.subarray(32) };
}

import { hkdfSync } from 'node:crypto';
import { COMMITMENT_BYTES, SUITE_AES256GCM_HKDF_SHA512_COMMIT } from './sealed-format.js';

const INFO = Buffer.from([
  ...Buffer.from('omnicache/v1 AES-256-GCM HKDF-SHA-512 commit', 'ascii'),
  SUITE_AES256GCM_HKDF_SHA512_COMMIT,
]);

/** What a data key is used as: the AES-256-GCM key and the commitment stored in every value sealed under it. */
export interface DataKeyMaterial {
  key: Buffer;
  commitment: Buffer;
}

/**
 * HKDF-SHA-512 over the data key (salt: its data key id), expanded to 64 bytes: the first 32 are the AES-256-GCM
 * key, the last 32 the commitment written into every value's header and compared (constant time) before any
 * decryption. A different data key gives a different commitment, so a ciphertext cannot open validly under two
 * keys (key commitment, as in the AWS Encryption SDK's committing suites). Derived once per data key, not per
 * value: values differ by their random 96-bit nonce, and the per-key encryption count stays far below 2^32.
 */
export function deriveDataKeyMaterial(dek: Uint8Array, dekId: Uint8Array): DataKeyMaterial {
  const out = Buffer.from(hkdfSync('sha512', dek, dekId, INFO, 32 + COMMITMENT_BYTES));
  return { key: out.subarray(0, 32), commitment: out.subarray(32) };
}

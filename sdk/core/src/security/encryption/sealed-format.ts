import { createHash } from 'node:crypto';
import { EncryptionError } from './errors.js';

/**
 * The encrypted part of an envelope (codec/envelope.ts carries flags, key id, nonce and tag; this is its payload):
 *
 * ```
 * size  field
 * 1     suite: 1 = AES-256-GCM, message key and commitment from HKDF-SHA-512 (committing, as the AWS
 *       Encryption SDK's committing suites do)
 * 16    data key id: SHA-256(key id || wrapped DEK), first 16 bytes (names the DEK in the in-memory cache)
 * 2     wrapped DEK length w (big-endian), then w bytes: the DEK wrapped by the key provider
 * 32    commitment: the second half of HKDF-SHA-512(data key, salt = data key id), compared before any
 *       decryption (the first half is the AES-256-GCM key; see message-key.ts)
 * rest  AES-256-GCM ciphertext of the (compressed) serialized record
 * ```
 * AAD = cache name, namespace and remote key (length-prefixed) followed by every envelope byte before the
 * ciphertext, with the tag field zeroed (the tag is the output of the sealing).
 */
export const SUITE_AES256GCM_HKDF_SHA512_COMMIT = 1;
export const DEK_ID_BYTES = 16;
export const COMMITMENT_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const DEK_BYTES = 32;
const MAX_WRAPPED = 0xffff;

export interface SealedHeader {
  suite: number;
  dekId: Uint8Array;
  wrapped: Uint8Array;
  commitment: Uint8Array;
  /** Length of everything above, in bytes: the ciphertext starts here. */
  length: number;
}

export function dataKeyId(keyId: string, wrapped: Uint8Array): Buffer {
  return createHash('sha256').update(keyId, 'utf8').update(wrapped).digest().subarray(0, DEK_ID_BYTES);
}

export function sealedHeaderLength(wrappedLength: number): number {
  return 1 + DEK_ID_BYTES + 2 + wrappedLength + COMMITMENT_BYTES;
}

/** Writes the header into `out` at `at`; returns the offset after it. */
export function writeSealedHeader(
  out: Buffer,
  at: number,
  dekId: Uint8Array,
  wrapped: Uint8Array,
  commitment: Uint8Array,
): number {
  if (wrapped.length > MAX_WRAPPED)
    throw new RangeError(`wrapped data key is ${wrapped.length} bytes; at most 65535 fit`);
  out[at++] = SUITE_AES256GCM_HKDF_SHA512_COMMIT;
  out.set(dekId, at);
  at += DEK_ID_BYTES;
  out.writeUInt16BE(wrapped.length, at);
  at += 2;
  out.set(wrapped, at);
  at += wrapped.length;
  out.set(commitment, at);
  return at + COMMITMENT_BYTES;
}

function malformed(what: string, keyId: string | undefined): EncryptionError {
  return new EncryptionError(
    'decrypt',
    'malformed',
    `encrypted value is malformed (${what}); the stored bytes are damaged or were not written by omnicache`,
    { keyId },
  );
}

/** Parses the header at the start of `payload`. Throws EncryptionError('malformed') when it does not fit. */
export function readSealedHeader(payload: Uint8Array, keyId: string | undefined): SealedHeader {
  if (payload.length < 1 + DEK_ID_BYTES + 2) throw malformed('header truncated', keyId);
  const suite = payload[0]!;
  if (suite !== SUITE_AES256GCM_HKDF_SHA512_COMMIT) throw malformed(`unknown suite ${suite}`, keyId);
  let at = 1;
  const dekId = payload.subarray(at, at + DEK_ID_BYTES);
  at += DEK_ID_BYTES;
  const w = (payload[at]! << 8) | payload[at + 1]!;
  at += 2;
  if (payload.length < at + w + COMMITMENT_BYTES) throw malformed('header truncated', keyId);
  const wrapped = payload.subarray(at, at + w);
  at += w;
  const commitment = payload.subarray(at, at + COMMITMENT_BYTES);
  at += COMMITMENT_BYTES;
  return { suite, dekId, wrapped, commitment, length: at };
}

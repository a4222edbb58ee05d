import { DecodeError } from '../errors.js';
import { CHECKSUM_BYTES, ChecksumError, checksumOf, storedChecksum } from './checksum.js';

/**
 * The versioned binary envelope every value carries when it leaves the process.
 *
 * ```
 * offset  size  field
 * 0       2     magic 0x4F 0x43 ("OC")
 * 2       1     version: 1, or 2 (ENVELOPE_VERSION_CHECKSUM) = version 1 plus a CRC-32 trailer
 * 3       1     flags: bits 0-1 compression (0 none, 1 brotli, 2 deflate-raw), bit 2 encrypted (version 1 only)
 * --- only when encrypted ---
 * 4       1     key id length k, then k bytes key id (UTF-8)
 *         1     nonce length n, then n bytes nonce
 *         1     auth tag length t, then t bytes tag
 * ---
 *         rest  payload (the serialized record, compressed then encrypted as the flags say)
 * --- only in version 2 ---
 * n-4     4     CRC-32 (u32 LE, zlib's) over bytes 0 .. n-5
 * ```
 * Version 2 is what unencrypted values are written as with the codec option `checksum`; encrypted values stay
 * version 1 (AES-256-GCM authenticates them). The versions differ in two bits, so no single flipped bit turns a
 * checksummed envelope into an unchecked one; with the CRC covering every other byte, every single-bit flip of a
 * version 2 envelope is detected. Unknown versions or flag bits are rejected (DecodeError), never guessed at.
 */
export const ENVELOPE_MAGIC_0 = 0x4f;
export const ENVELOPE_MAGIC_1 = 0x43;
/** The envelope without a checksum: encrypted values, and unencrypted ones written with `checksum: false` (or before it). */
export const ENVELOPE_VERSION = 1;
/** An unencrypted envelope with a CRC-32 trailer. */
export const ENVELOPE_VERSION_CHECKSUM = 2;

export const COMPRESSION_NONE = 0;
export const COMPRESSION_BROTLI = 1;
export const COMPRESSION_DEFLATE = 2;
export type CompressionId = typeof COMPRESSION_NONE | typeof COMPRESSION_BROTLI | typeof COMPRESSION_DEFLATE;

const FLAG_COMPRESSION_MASK = 0b011;
const FLAG_ENCRYPTED = 0b100;
const KNOWN_FLAGS = FLAG_COMPRESSION_MASK | FLAG_ENCRYPTED;
const FIXED_HEADER = 4;

export interface EnvelopeEncryption {
  keyId: Uint8Array;
  nonce: Uint8Array;
  tag: Uint8Array;
}

export interface Envelope {
  version: number;
  compression: CompressionId;
  encryption: EnvelopeEncryption | undefined;
  payload: Uint8Array;
}

function field(name: string, bytes: Uint8Array): void {
  if (bytes.length > 255) throw new RangeError(`envelope ${name} is ${bytes.length} bytes; at most 255 fit`);
}

export function writeEnvelope(
  compression: CompressionId,
  payload: Uint8Array,
  encryption?: EnvelopeEncryption,
): Uint8Array {
  let size = FIXED_HEADER + payload.length;
  if (encryption !== undefined) {
    field('key id', encryption.keyId);
    field('nonce', encryption.nonce);
    field('tag', encryption.tag);
    size += 3 + encryption.keyId.length + encryption.nonce.length + encryption.tag.length;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = ENVELOPE_MAGIC_0;
  out[1] = ENVELOPE_MAGIC_1;
  out[2] = ENVELOPE_VERSION;
  out[3] = compression | (encryption !== undefined ? FLAG_ENCRYPTED : 0);
  let at = FIXED_HEADER;
  if (encryption !== undefined) {
    for (const part of [encryption.keyId, encryption.nonce, encryption.tag]) {
      out[at++] = part.length;
      out.set(part, at);
      at += part.length;
    }
  }
  out.set(payload, at);
  return out;
}

/** An unencrypted envelope (version 2) whose last 4 bytes are the CRC-32 of everything before them. */
export function writeChecksummedEnvelope(compression: CompressionId, payload: Uint8Array): Uint8Array {
  const end = FIXED_HEADER + payload.length;
  const out = Buffer.allocUnsafe(end + CHECKSUM_BYTES);
  out[0] = ENVELOPE_MAGIC_0;
  out[1] = ENVELOPE_MAGIC_1;
  out[2] = ENVELOPE_VERSION_CHECKSUM;
  out[3] = compression;
  out.set(payload, FIXED_HEADER);
  out.writeUInt32LE(checksumOf(out.subarray(0, end)), end);
  return out;
}

function readField(bytes: Uint8Array, at: number, name: string): [Uint8Array, number] {
  const len = bytes[at];
  if (len === undefined || at + 1 + len > bytes.length) {
    throw new DecodeError(
      `envelope is truncated in its ${name}; the stored bytes are damaged or not an omnicache value`,
    );
  }
  return [bytes.subarray(at + 1, at + 1 + len), at + 1 + len];
}

/** Parses the header. Throws DecodeError for foreign, truncated or newer-version bytes. */
export function readEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < FIXED_HEADER || bytes[0] !== ENVELOPE_MAGIC_0 || bytes[1] !== ENVELOPE_MAGIC_1) {
    throw new DecodeError(
      'bytes are not an omnicache envelope (bad magic); another program may write to the same keys',
    );
  }
  const version = bytes[2]!;
  if (version === ENVELOPE_VERSION_CHECKSUM) return readChecksummed(bytes);
  if (version !== ENVELOPE_VERSION) {
    throw new DecodeError(
      `envelope version ${version} is not supported (this omnicache reads versions ${ENVELOPE_VERSION} and ${ENVELOPE_VERSION_CHECKSUM}); upgrade omnicache on every instance that shares the tier`,
    );
  }
  const flags = bytes[3]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new DecodeError(
      `envelope has unknown flags 0x${flags.toString(16)}; it was written by a newer omnicache`,
    );
  }
  const compression = (flags & FLAG_COMPRESSION_MASK) as number;
  if (compression > COMPRESSION_DEFLATE) {
    throw new DecodeError(
      `envelope uses unknown compression id ${compression}; it was written by a newer omnicache`,
    );
  }
  let at = FIXED_HEADER;
  let encryption: EnvelopeEncryption | undefined;
  if ((flags & FLAG_ENCRYPTED) !== 0) {
    let keyId: Uint8Array;
    let nonce: Uint8Array;
    let tag: Uint8Array;
    [keyId, at] = readField(bytes, at, 'key id');
    [nonce, at] = readField(bytes, at, 'nonce');
    [tag, at] = readField(bytes, at, 'auth tag');
    encryption = { keyId, nonce, tag };
  }
  return { version, compression: compression as CompressionId, encryption, payload: bytes.subarray(at) };
}

/** Version 2: the checksum is verified before any other byte is interpreted. */
function readChecksummed(bytes: Uint8Array): Envelope {
  const end = bytes.length - CHECKSUM_BYTES;
  if (end < FIXED_HEADER) {
    throw new DecodeError(
      'checksummed envelope is truncated (shorter than its header and checksum); the stored bytes are damaged',
    );
  }
  const expected = storedChecksum(bytes, end);
  const actual = checksumOf(bytes.subarray(0, end));
  if (actual !== expected) throw new ChecksumError(expected, actual, bytes.length);
  const flags = bytes[3]!;
  if ((flags & ~FLAG_COMPRESSION_MASK) !== 0 || flags > COMPRESSION_DEFLATE) {
    throw new DecodeError(
      `checksummed envelope has unknown flags 0x${flags.toString(16)}; it was written by a newer omnicache`,
    );
  }
  return {
    version: ENVELOPE_VERSION_CHECKSUM,
    compression: flags as CompressionId,
    encryption: undefined,
    payload: bytes.subarray(FIXED_HEADER, end),
  };
}

import { crc32 } from 'node:zlib';
import { DecodeError } from '../errors.js';

/**
 * The integrity check of unencrypted stored records: CRC-32 (zlib's, built into Node since 20.15 / 22.2).
 * Why CRC-32: it detects every single-bit error, every burst of up to 32 bits and any other random damage with
 * probability 1 - 2^-32, which is what a check against corruption in a tier (not against an attacker: encryption
 * is that) needs; it runs at ~6.8 GB/s here (a 1 KB record ~0.27 µs, 64 KB ~9.6 µs), ~3.5x faster than SHA-256.
 * See bench/results/tiered.md for what it costs per remote read.
 */
export const CHECKSUM_BYTES = 4;

export function checksumOf(bytes: Uint8Array): number {
  return crc32(bytes);
}

/** The u32 LE checksum stored at `at`. */
export function storedChecksum(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * A stored record failed its checksum: its bytes changed after they were written (in the tier, on disk, on the
 * way). Reads treat it as a miss, remove the record if it still holds these bytes, and hand this error to
 * `decode-error` listeners; it is counted in `stats().tiers.<tier>.checksumFailures` and
 * `omnicache.codec.checksum_failures`. Never carries the value.
 */
export class ChecksumError extends DecodeError {
  /** The checksum stored with the record. */
  readonly expected: number;
  /** The checksum of the bytes as read. */
  readonly actual: number;
  /** Length of the stored record in bytes. */
  readonly bytes: number;
  constructor(expected: number, actual: number, bytes: number) {
    super(
      `stored record (${bytes} bytes) failed its CRC-32 check (stored ${hex(expected)}, computed ${hex(actual)}): its bytes changed after they were written (damaged in the tier or on the way). A cache read treats it as a miss and removes it; if this repeats, check the tier's storage and network and whether anything else writes to omnicache's keys`,
    );
    this.expected = expected;
    this.actual = actual;
    this.bytes = bytes;
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

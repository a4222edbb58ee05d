import { WRITE_TOKEN_LENGTH } from '../shared/write-token.js';

/**
 * What RedisTier stores at a value key: a small frame with the write's token and the value's tags, then the value
 * bytes; or, after a key delete, a tombstone.
 *
 * ```
 * value (format 2, written)           tombstone                   value (format 1, still read)
 * 0    4   magic 00 'O' 'T' 02        0  4  magic 00 'O' 'X' 01   0    4  magic 00 'O' 'T' 01
 * 4    24  write token (ASCII)        4  24 delete token (ASCII)  4    4  n
 * 28   4   n: bytes of the tag list                               8    n  tags
 * 32   n   tags, each a u32 big-endian byte length then UTF-8     8+n     the value
 * 32+n     the value (the codec's envelope)
 * ```
 * The token names the write (shared/write-token.ts): `read` returns it as the key's state and the conditional
 * write script compares it (scripts.ts). deleteByTag pops a tag set's members and removes a member only if its
 * current frame still lists the tag (one Lua script per member key, so it is atomic per key and Cluster-safe): a
 * key written again without the tag keeps its value. Values written before frames existed (they start with the
 * envelope magic "OC") are read as they are, and deleteByTag removes them as it always did.
 */
export const FRAME_MAGIC = Buffer.from([0x00, 0x4f, 0x54, 0x01]);
export const FRAME_MAGIC_V2 = Buffer.from([0x00, 0x4f, 0x54, 0x02]);
export const TOMBSTONE_MAGIC = Buffer.from([0x00, 0x4f, 0x58, 0x01]);
const HEADER = 8;
const HEADER_V2 = 4 + WRITE_TOKEN_LENGTH + 4;
const TOMBSTONE_BYTES = 4 + WRITE_TOKEN_LENGTH;

export function frameValue(tags: readonly string[] | undefined, value: Uint8Array, token: string): Buffer {
  const encoded = tags === undefined || tags.length === 0 ? [] : tags.map((t) => Buffer.from(t, 'utf8'));
  let n = 0;
  for (const t of encoded) n += 4 + t.length;
  const out = Buffer.allocUnsafe(HEADER_V2 + n + value.byteLength);
  FRAME_MAGIC_V2.copy(out, 0);
  out.write(token, 4, WRITE_TOKEN_LENGTH, 'latin1');
  out.writeUInt32BE(n, 4 + WRITE_TOKEN_LENGTH);
  let at = HEADER_V2;
  for (const t of encoded) {
    out.writeUInt32BE(t.length, at);
    at += 4 + t.copy(out, at + 4);
  }
  out.set(value, at);
  return out;
}

export function tombstoneFrame(token: string): Buffer {
  const out = Buffer.allocUnsafe(TOMBSTONE_BYTES);
  TOMBSTONE_MAGIC.copy(out, 0);
  out.write(token, 4, WRITE_TOKEN_LENGTH, 'latin1');
  return out;
}

/** The stored bytes as a value (undefined for a tombstone) and the key's state: 'v' + token, 't' + token, 'l' (older format). */
export function parseFrame(bytes: Buffer): { value: Buffer | undefined; state: string } {
  if (bytes.length >= TOMBSTONE_BYTES && TOMBSTONE_MAGIC.compare(bytes, 0, 4, 0, 4) === 0)
    return { value: undefined, state: `t${bytes.toString('latin1', 4, TOMBSTONE_BYTES)}` };
  if (bytes.length >= HEADER_V2 && FRAME_MAGIC_V2.compare(bytes, 0, 4, 0, 4) === 0) {
    const n = bytes.readUInt32BE(4 + WRITE_TOKEN_LENGTH);
    const state = `v${bytes.toString('latin1', 4, 4 + WRITE_TOKEN_LENGTH)}`;
    return { value: HEADER_V2 + n <= bytes.length ? bytes.subarray(HEADER_V2 + n) : bytes, state };
  }
  return { value: unframeV1(bytes), state: 'l' };
}

/** The stored bytes as a value: undefined for a tombstone (parseFrame without the state). */
export function frameContent(bytes: Buffer): Buffer | undefined {
  if (bytes.length >= HEADER_V2 && FRAME_MAGIC_V2.compare(bytes, 0, 4, 0, 4) === 0) {
    const n = bytes.readUInt32BE(4 + WRITE_TOKEN_LENGTH);
    return HEADER_V2 + n <= bytes.length ? bytes.subarray(HEADER_V2 + n) : bytes;
  }
  if (bytes.length >= TOMBSTONE_BYTES && TOMBSTONE_MAGIC.compare(bytes, 0, 4, 0, 4) === 0) return undefined;
  return unframeV1(bytes);
}

/** The value inside a frame (empty for a tombstone); bytes without a (complete) frame are returned as they are. */
export function unframeValue(bytes: Buffer): Buffer {
  return frameContent(bytes) ?? Buffer.alloc(0);
}

function unframeV1(bytes: Buffer): Buffer {
  if (bytes.length < HEADER || FRAME_MAGIC.compare(bytes, 0, 4, 0, 4) !== 0) return bytes;
  const n = bytes.readUInt32BE(4);
  return HEADER + n <= bytes.length ? bytes.subarray(HEADER + n) : bytes;
}

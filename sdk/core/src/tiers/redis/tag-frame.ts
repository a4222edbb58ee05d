/**
 * What RedisTier stores at a value key: a small frame with the value's tags, then the value bytes.
 *
 * ```
 * offset  size  field
 * 0       4     magic 0x00 'O' 'T' 0x01 (the last byte is the frame format)
 * 4       4     n: bytes of the tag list (u32 big-endian; 0 for an untagged value)
 * 8       n     tags, each a u32 big-endian byte length then the tag in UTF-8
 * 8 + n   rest  the value (the codec's envelope)
 * ```
 * deleteByTag pops a tag set's members and removes a member only if its current frame still lists the tag (one
 * Lua script per member key, so it is atomic per key and Cluster-safe): a key written again without the tag
 * keeps its value. Values written before the frame existed (they start with the envelope magic "OC") are read
 * as they are, and deleteByTag removes them as it always did.
 */
export const FRAME_MAGIC = Buffer.from([0x00, 0x4f, 0x54, 0x01]);
const HEADER = 8;

export function frameValue(tags: readonly string[] | undefined, value: Uint8Array): Buffer {
  const encoded = (tags ?? []).map((t) => Buffer.from(t, 'utf8'));
  const n = encoded.reduce((sum, t) => sum + 4 + t.length, 0);
  const out = Buffer.allocUnsafe(HEADER + n + value.byteLength);
  FRAME_MAGIC.copy(out, 0);
  out.writeUInt32BE(n, 4);
  let at = HEADER;
  for (const t of encoded) {
    out.writeUInt32BE(t.length, at);
    at += 4 + t.copy(out, at + 4);
  }
  out.set(value, at);
  return out;
}

/** The value inside a frame; bytes without a (complete) frame are returned as they are. */
export function unframeValue(bytes: Buffer): Buffer {
  if (bytes.length < HEADER || FRAME_MAGIC.compare(bytes, 0, 4) !== 0) return bytes;
  const n = bytes.readUInt32BE(4);
  return HEADER + n <= bytes.length ? bytes.subarray(HEADER + n) : bytes;
}

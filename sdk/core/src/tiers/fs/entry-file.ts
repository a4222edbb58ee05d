import { crc32 } from 'node:zlib';

/**
 * On-disk format of one fs-tier entry. Fixed 32-byte header, then key (UTF-8), tags (JSON array, UTF-8), value.
 *
 *   0  magic 'OMCF'      4  version (1)      5..7 reserved
 *   8  expiresAt f64 LE (epoch ms; +Infinity = never)
 *  16  key length u32 LE   20  tags length u32 LE   24  value length u32 LE
 *  28  CRC-32 u32 LE over bytes 0..27 and the whole body
 *
 * The key is stored so that a hash collision or a foreign file at the key's path is detected, and so that
 * clear(prefix) can match keys; the CRC and the exact length detect truncated or corrupted files.
 */
export const HEADER_BYTES = 32;
const MAGIC = Buffer.from('OMCF', 'latin1');
const VERSION = 1;

export interface EntryMeta {
  key: string;
  tags: string[];
  expiresAt: number;
  /** Total file size in bytes. */
  size: number;
}

export interface Entry extends EntryMeta {
  value: Uint8Array;
}

export function encodeEntry(
  key: string,
  value: Uint8Array,
  tags: readonly string[],
  expiresAt: number,
): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const tagBytes = tags.length > 0 ? Buffer.from(JSON.stringify(tags), 'utf8') : Buffer.alloc(0);
  const out = Buffer.allocUnsafe(HEADER_BYTES + keyBytes.length + tagBytes.length + value.byteLength);
  MAGIC.copy(out, 0);
  out.writeUInt8(VERSION, 4);
  out.fill(0, 5, 8);
  out.writeDoubleLE(expiresAt, 8);
  out.writeUInt32LE(keyBytes.length, 16);
  out.writeUInt32LE(tagBytes.length, 20);
  out.writeUInt32LE(value.byteLength, 24);
  let offset = HEADER_BYTES;
  offset += keyBytes.copy(out, offset);
  offset += tagBytes.copy(out, offset);
  out.set(value, offset);
  out.writeUInt32LE(checksum(out), 28);
  return out;
}

interface Layout {
  expiresAt: number;
  keyLength: number;
  tagsLength: number;
  valueLength: number;
}

/** Parses the fixed header; undefined if it is not ours or not this version. */
function readLayout(header: Buffer): Layout | undefined {
  if (
    header.length < HEADER_BYTES ||
    !header.subarray(0, 4).equals(MAGIC) ||
    header.readUInt8(4) !== VERSION
  ) {
    return undefined;
  }
  return {
    expiresAt: header.readDoubleLE(8),
    keyLength: header.readUInt32LE(16),
    tagsLength: header.readUInt32LE(20),
    valueLength: header.readUInt32LE(24),
  };
}

function totalSize(layout: Layout): number {
  return HEADER_BYTES + layout.keyLength + layout.tagsLength + layout.valueLength;
}

/** Full decode with CRC check; undefined for foreign, truncated or corrupted bytes. */
export function decodeEntry(bytes: Buffer): Entry | undefined {
  const layout = readLayout(bytes);
  if (!layout || totalSize(layout) !== bytes.length) return undefined;
  if (bytes.readUInt32LE(28) !== checksum(bytes)) return undefined;
  const meta = parseMeta(bytes, layout, bytes.length);
  if (!meta) return undefined;
  const valueStart = HEADER_BYTES + layout.keyLength + layout.tagsLength;
  return { ...meta, value: bytes.subarray(valueStart) };
}

/** How many leading bytes `decodeMeta` needs, given the first HEADER_BYTES; undefined if not ours. */
export function metaLength(header: Buffer): number | undefined {
  const layout = readLayout(header);
  return layout ? HEADER_BYTES + layout.keyLength + layout.tagsLength : undefined;
}

/** Decodes key, tags and expiry from a file's leading bytes (no CRC check: used for scans and tag checks). */
export function decodeMeta(prefix: Buffer, fileSize: number): EntryMeta | undefined {
  const layout = readLayout(prefix);
  if (!layout || totalSize(layout) !== fileSize) return undefined;
  if (prefix.length < HEADER_BYTES + layout.keyLength + layout.tagsLength) return undefined;
  return parseMeta(prefix, layout, fileSize);
}

function parseMeta(bytes: Buffer, layout: Layout, size: number): EntryMeta | undefined {
  const keyEnd = HEADER_BYTES + layout.keyLength;
  const key = bytes.toString('utf8', HEADER_BYTES, keyEnd);
  let tags: string[] = [];
  if (layout.tagsLength > 0) {
    try {
      const parsed: unknown = JSON.parse(bytes.toString('utf8', keyEnd, keyEnd + layout.tagsLength));
      if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) return undefined;
      tags = parsed;
    } catch {
      return undefined;
    }
  }
  return { key, tags, expiresAt: layout.expiresAt, size };
}

function checksum(bytes: Buffer): number {
  return crc32(bytes.subarray(HEADER_BYTES), crc32(bytes.subarray(0, 28)));
}

import { crc32 } from 'node:zlib';
import { WRITE_TOKEN_LENGTH } from '../shared/write-token.js';

/**
 * On-disk format of one fs-tier entry: a fixed header, then key (UTF-8), tags (JSON array, UTF-8), value.
 *
 * Version 3 (written; 64-byte header):
 *   0  magic 'OMCF'      4  format version (3)      5  flags (bit 0: tombstone)      6..7 reserved
 *   8  expiresAt f64 LE (epoch ms; +Infinity = never)
 *  16  key length u32 LE   20  tags length u32 LE   24  value length u32 LE
 *  28  write version f64 LE (StoredRecord.version of the value: orders writes of one key across processes)
 *  36  write token, 24 ASCII bytes (shared/write-token.ts: names the write, for conditional writes)
 *  60  CRC-32 u32 LE over bytes 0..59 and the whole body
 * A tombstone (left by a key delete for the tier's tombstoneMs) has no tags and no value.
 * Version 2 (still read; 40-byte header): as version 3 without flags and token, CRC at 36 over 0..35.
 * Version 1 (still read; 32-byte header): as version 2 without the write version (read as 0), CRC at 28 over 0..27.
 *
 * The key is stored so that a hash collision or a foreign file at the key's path is detected, and so that
 * clear(prefix) can match keys; the CRC and the exact length detect truncated or corrupted files.
 */
/** Bytes to read to be sure to have the header of any supported version. */
export const HEADER_BYTES = 64;
const MAGIC = Buffer.from('OMCF', 'latin1');
const VERSION = 3;
const V1_HEADER = 32;
const V2_HEADER = 40;
const V3_HEADER = 64;
const TOKEN_AT = 36;
const FLAG_TOMBSTONE = 1;

export interface EntryMeta {
  key: string;
  tags: string[];
  expiresAt: number;
  /** Version of the write that produced the entry (0 for format-1 files or unversioned writes). */
  version: number;
  /** The write's token ('' for files of formats 1 and 2). */
  token: string;
  /** A key delete's tombstone (no value). */
  tombstone: boolean;
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
  version = 0,
  token = '',
  tombstone = false,
): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const tagBytes = tags.length > 0 ? Buffer.from(JSON.stringify(tags), 'utf8') : Buffer.alloc(0);
  const out = Buffer.allocUnsafe(V3_HEADER + keyBytes.length + tagBytes.length + value.byteLength);
  MAGIC.copy(out, 0);
  out.writeUInt8(VERSION, 4);
  out.fill(0, 5, 8);
  if (tombstone) out.writeUInt8(FLAG_TOMBSTONE, 5);
  out.writeDoubleLE(expiresAt, 8);
  out.writeUInt32LE(keyBytes.length, 16);
  out.writeUInt32LE(tagBytes.length, 20);
  out.writeUInt32LE(value.byteLength, 24);
  out.writeDoubleLE(version, 28);
  out.write(token.padEnd(WRITE_TOKEN_LENGTH, ' '), TOKEN_AT, WRITE_TOKEN_LENGTH, 'latin1');
  let offset = V3_HEADER;
  offset += keyBytes.copy(out, offset);
  offset += tagBytes.copy(out, offset);
  out.set(value, offset);
  out.writeUInt32LE(checksum(out, V3_HEADER), V3_HEADER - 4);
  return out;
}

interface Layout {
  headerBytes: number;
  version: number;
  token: string;
  tombstone: boolean;
  expiresAt: number;
  keyLength: number;
  tagsLength: number;
  valueLength: number;
}

/** Parses the fixed header; undefined if it is not ours or not this version. */
function readLayout(header: Buffer): Layout | undefined {
  if (header.length < V1_HEADER || !header.subarray(0, 4).equals(MAGIC)) return undefined;
  const format = header.readUInt8(4);
  const headerBytes = format === 1 ? V1_HEADER : format === 2 ? V2_HEADER : format === 3 ? V3_HEADER : 0;
  if (headerBytes === 0 || header.length < headerBytes) return undefined;
  return {
    headerBytes,
    version: format === 1 ? 0 : header.readDoubleLE(28),
    token: format === 3 ? header.toString('latin1', TOKEN_AT, TOKEN_AT + WRITE_TOKEN_LENGTH) : '',
    tombstone: format === 3 && (header.readUInt8(5) & FLAG_TOMBSTONE) !== 0,
    expiresAt: header.readDoubleLE(8),
    keyLength: header.readUInt32LE(16),
    tagsLength: header.readUInt32LE(20),
    valueLength: header.readUInt32LE(24),
  };
}

function totalSize(layout: Layout): number {
  return layout.headerBytes + layout.keyLength + layout.tagsLength + layout.valueLength;
}

/** Full decode with CRC check; undefined for foreign, truncated or corrupted bytes. */
export function decodeEntry(bytes: Buffer): Entry | undefined {
  const layout = readLayout(bytes);
  if (!layout || totalSize(layout) !== bytes.length) return undefined;
  const h = layout.headerBytes;
  if (bytes.readUInt32LE(h - 4) !== checksum(bytes, h)) return undefined;
  const meta = parseMeta(bytes, layout, bytes.length);
  if (!meta) return undefined;
  const valueStart = h + layout.keyLength + layout.tagsLength;
  return { ...meta, value: bytes.subarray(valueStart) };
}

/** How many leading bytes `decodeMeta` needs, given the first HEADER_BYTES (or the whole file if shorter); undefined if not ours. */
export function metaLength(header: Buffer): number | undefined {
  const layout = readLayout(header);
  return layout ? layout.headerBytes + layout.keyLength + layout.tagsLength : undefined;
}

/** Decodes key, tags and expiry from a file's leading bytes (no CRC check: used for scans and tag checks). */
export function decodeMeta(prefix: Buffer, fileSize: number): EntryMeta | undefined {
  const layout = readLayout(prefix);
  if (!layout || totalSize(layout) !== fileSize) return undefined;
  if (prefix.length < layout.headerBytes + layout.keyLength + layout.tagsLength) return undefined;
  return parseMeta(prefix, layout, fileSize);
}

function parseMeta(bytes: Buffer, layout: Layout, size: number): EntryMeta | undefined {
  const keyEnd = layout.headerBytes + layout.keyLength;
  const key = bytes.toString('utf8', layout.headerBytes, keyEnd);
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
  return {
    key,
    tags,
    expiresAt: layout.expiresAt,
    version: layout.version,
    token: layout.token,
    tombstone: layout.tombstone,
    size,
  };
}

function checksum(bytes: Buffer, headerBytes: number): number {
  return crc32(bytes.subarray(headerBytes), crc32(bytes.subarray(0, headerBytes - 4)));
}

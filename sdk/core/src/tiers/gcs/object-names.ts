import { createHash } from 'node:crypto';

/**
 * Object names for arbitrary keys. Every byte outside [A-Za-z0-9._:-] is percent-encoded (so '/' never appears
 * in an encoded key and the `__tags/` area cannot collide with values), which keeps names valid for GCS and
 * prefix-preserving: enc(prefix) is a prefix of enc(key) whenever key starts with prefix, so clear(prefix) can list.
 * Encodings longer than LONG_LIMIT are cut and suffixed with '~' + SHA-256 of the key ('~' never occurs in a
 * plain encoding), keeping names under GCS's 1024-byte limit while still matching prefixes up to the cut.
 */
const LONG_LIMIT = 400;
const CUT = 300;

export const TAGS_AREA = '__tags/';

export function encodeComponent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const safe =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x3a ||
      byte === 0x2d;
    out += safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The object-name segment for a key or tag (bounded length). */
export function nameSegment(text: string): string {
  const encoded = encodeComponent(text);
  if (encoded.length <= LONG_LIMIT) return encoded;
  let cut = CUT;
  // Never split a %XX escape.
  const percent = encoded.lastIndexOf('%', cut - 1);
  if (percent >= 0 && percent > cut - 3) cut = percent;
  return `${encoded.slice(0, cut)}~${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** True for names in the long (cut + hash) form; such objects carry their key in metadata. */
export function isLongForm(segment: string): boolean {
  return segment.includes('~');
}

/**
 * A listing prefix that covers every key starting with `prefix`. For long prefixes it is cut below the long-form
 * cut, so the listing may include extra names: callers filter with `matchesPrefix`.
 */
export function listPrefix(prefix: string): string {
  const encoded = encodeComponent(prefix);
  return encoded.length <= CUT - 3 ? encoded : encoded.slice(0, CUT - 3);
}

/** Whether the object for `segment` (with `storedKey` from metadata for long names) belongs under `prefix`. */
export function matchesPrefix(segment: string, prefix: string, storedKey: string | undefined): boolean {
  if (!isLongForm(segment)) return segment.startsWith(encodeComponent(prefix));
  return storedKey?.startsWith(prefix) ?? false;
}

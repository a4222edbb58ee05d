/**
 * Cache keys and tags of HTTP responses. Built keys: `http:GET:<url>` then `|<header>=<value>` per `vary`
 * header and `|u:<hash>` for a user (hashed: user ids do not appear in tier keys). Custom keys:
 * `http:key:<your key>`. Every entry is tagged `http:path:<path>` so one invalidation reaches all its variants.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const BUILT_KEY_PREFIX = 'http:GET:';
const CUSTOM_KEY_PREFIX = 'http:key:';
const PATH_TAG_PREFIX = 'http:path:';
/** Longer keys are hashed (they then escape prefix invalidation). */
const MAX_KEY = 900;

const hash = (s: string, n: number) => createHash('sha256').update(s).digest('base64url').slice(0, n);

function headerValue(v: IncomingHttpHeaders[string]): string {
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(', ') : v;
}

export function builtKey(
  url: string,
  headers: IncomingHttpHeaders,
  vary: readonly string[],
  user: string | undefined,
): string {
  let key = BUILT_KEY_PREFIX + url;
  for (const name of vary) key += `|${name}=${encodeURIComponent(headerValue(headers[name]))}`;
  if (user !== undefined) key += `|u:${hash(user, 32)}`;
  return key.length > MAX_KEY ? `${BUILT_KEY_PREFIX}#${hash(key, 43)}` : key;
}

export function customKey(key: string): string {
  const k = CUSTOM_KEY_PREFIX + key;
  return k.length > MAX_KEY ? `${CUSTOM_KEY_PREFIX}#${hash(k, 43)}` : k;
}

/** The tag every cached variant of `path` carries. */
export function pathTag(path: string): string {
  const t = PATH_TAG_PREFIX + path;
  return t.length > MAX_KEY ? `${PATH_TAG_PREFIX}#${hash(t, 43)}` : t;
}

/** The path of a request URL (no query string). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

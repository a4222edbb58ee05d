/**
 * Spellings of keys across tiers (see cache/scope.ts): a remote key is `${cache}::${key}` at the root and
 * `${cache}:${ns}::${key}` in a namespace; the L1 key is the key itself at the root and `\0${ns}:\0${key}` in a
 * namespace. Bus messages carry remote keys, tags and prefixes; receivers map them back to L1 spellings here.
 */

/** Tag marking "this entry depends on key k": qualified like any tag, so every tier indexes it. */
export const DEPENDENCY_TAG_SEGMENT = '__omnicache:dep:';

export interface ParsedKey {
  /** Namespace path, '' at the root. */
  path: string;
  /** The user's key. */
  key: string;
  /** `${cache}::` or `${cache}:${path}::`. */
  keyPrefix: string;
}

/** Splits a remote key of cache `cache`; undefined when it belongs to another cache or is malformed. */
export function parseRemoteKey(cache: string, remoteKey: string): ParsedKey | undefined {
  if (!remoteKey.startsWith(`${cache}:`)) return undefined;
  const sep = remoteKey.indexOf('::', cache.length);
  if (sep < 0) return undefined;
  const path = sep === cache.length ? '' : remoteKey.slice(cache.length + 1, sep);
  const key = remoteKey.slice(sep + 2);
  if (key.length === 0) return undefined;
  return { path, key, keyPrefix: remoteKey.slice(0, sep + 2) };
}

export function l1KeyOf(parsed: ParsedKey): string {
  return parsed.path === '' ? parsed.key : `\0${parsed.path}:\0${parsed.key}`;
}

/** The L1 prefix that matches what the remote prefix `prefix` (a cache or namespace clear prefix) matches. */
export function l1PrefixOf(cache: string, prefix: string): string | undefined {
  if (prefix === `${cache}:`) return '';
  if (!prefix.startsWith(`${cache}:`) || !prefix.endsWith(':')) return undefined;
  const path = prefix.slice(cache.length + 1, -1);
  return path.length === 0 ? undefined : `\0${path}:`;
}

/** The qualified dependency tag of a remote key: entries carrying it depend on that key. */
export function dependencyTagOf(parsed: ParsedKey): string {
  return `${parsed.keyPrefix}${DEPENDENCY_TAG_SEGMENT}${parsed.key}`;
}

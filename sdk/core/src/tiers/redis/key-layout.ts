/**
 * Where things live in Redis. Values live at `${keyPrefix}${key}` (with their tags in front, tag-frame.ts). A
 * tag's member set lives at `${keyPrefix}__omnicache:tag:${tag}` and a lock at `${keyPrefix}__omnicache:lock:${name}`. Every operation
 * touches one key per command, so the layout is Cluster-safe without forcing related keys into one slot
 * (multi-key batches are grouped by node, see redis-tier.ts).
 */
export const TAG_SEGMENT = '__omnicache:tag:';
export const LOCK_SEGMENT = '__omnicache:lock:';

export function valueKey(keyPrefix: string, key: string): string {
  return `${keyPrefix}${key}`;
}

export function tagKey(keyPrefix: string, tag: string): string {
  return `${keyPrefix}${TAG_SEGMENT}${tag}`;
}

export function lockKey(keyPrefix: string, name: string): string {
  return `${keyPrefix}${LOCK_SEGMENT}${name}`;
}

/** Escapes the glob metacharacters of SCAN MATCH so that `prefix` matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (char) => `\\${char}`);
}

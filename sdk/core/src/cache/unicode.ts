/**
 * Lone surrogates (U+D800-U+DFFF not in a high-low pair) have no UTF-8 form: every tier that stores text as UTF-8
 * (fs file names and headers, Redis, GCS object names, msgpack strings) would turn them into U+FFFD, so two
 * different strings would become one. The cache refuses them in keys, tags and (with remote tiers) values.
 */
export function hasLoneSurrogate(text: string): boolean {
  return !(text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

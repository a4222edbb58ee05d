/** Cache-Control parsing (RFC 9111 section 5.2) and the header OmniCache writes for a cached response. */

/** Directive names (lower case) to their value ('' when the directive has none). */
export function parseCacheControl(header: string | readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  const text = typeof header === 'string' ? header : header.join(',');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value =
      eq < 0
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    out.set(name, value);
  }
  return out;
}

/** The freshness windows an entry is stored with, in milliseconds (the same numbers given to getOrSet). */
export interface Windows {
  ttl: number;
  staleWhileRevalidate: number;
  grace: number;
}

/**
 * `public|private, max-age=ttl, stale-while-revalidate=swr, stale-if-error=grace` in whole seconds (RFC 5861
 * for the last two), so a browser or CDN keeps the same windows as the cache. Zero windows are left out.
 */
export function cacheControlFor(w: Windows, isPrivate: boolean): string {
  const parts = [isPrivate ? 'private' : 'public', `max-age=${Math.floor(w.ttl / 1000)}`];
  const swr = Math.floor(w.staleWhileRevalidate / 1000);
  if (swr > 0) parts.push(`stale-while-revalidate=${swr}`);
  const grace = Math.floor(w.grace / 1000);
  if (grace > 0) parts.push(`stale-if-error=${grace}`);
  return parts.join(', ');
}

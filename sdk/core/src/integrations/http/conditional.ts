/** Conditional GET evaluation (RFC 9110 section 13): If-None-Match, else If-Modified-Since. */
import type { IncomingHttpHeaders } from 'node:http';

function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/** True when the client's copy is current and a 304 Not Modified answers the request. */
export function notModified(headers: IncomingHttpHeaders, etag: string, lastModifiedMs: number): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const mine = opaque(etag);
    // Weak comparison: W/"x" and "x" match (a GET may use weak validators).
    return inm.split(',').some((t) => opaque(t) === mine);
  }
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  // HTTP dates have whole seconds.
  return Number.isFinite(since) && Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}

/**
 * The header that marks a background refresh (stale-while-revalidate) the integration sends to its own route:
 * such a request runs the handler uncached. The value is random per process, so clients cannot forge it.
 */
import { randomBytes } from 'node:crypto';

export const REFRESH_HEADER = 'x-omnicache-refresh';
export const REFRESH_TOKEN = randomBytes(18).toString('base64url');

export function isRefresh(headers: Record<string, unknown>): boolean {
  return headers[REFRESH_HEADER] === REFRESH_TOKEN;
}

/** The request's headers for a detached re-run: validators dropped (a full response is wanted), marker and no-store added. */
export function refreshHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const n = name.toLowerCase();
    if (n === 'if-none-match' || n === 'if-modified-since' || n === 'content-length' || n === 'host')
      continue;
    out[n] = Array.isArray(value) ? value.join(', ') : value;
  }
  out[REFRESH_HEADER] = REFRESH_TOKEN;
  // Should the request reach another process (a cluster sharing the port), where the marker is unknown, this
  // still makes it run the handler uncached instead of answering from the cache.
  out['cache-control'] = 'no-store';
  return out;
}

/** Removes the validators from a request about to run the handler for the cache (the integration answers 304 itself). */
export function stripValidators(headers: Record<string, unknown>): void {
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
}

/** A response as the HTTP integrations store it, and the rules that decide whether one may be stored. */
import { createHash } from 'node:crypto';
import { parseCacheControl } from './cache-control.js';

/** What is cached for a GET: status, headers, body and the windows it was stored with. */
export interface StoredResponse {
  status: number;
  /** Response headers (lower-case names) minus hop-by-hop and per-response ones. */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
  etag: string;
  /** Epoch ms: Last-Modified, Age and the freshness checks derive from it. */
  storedAt: number;
  ttl: number;
  staleWhileRevalidate: number;
  grace: number;
  /** Keyed by user: `Cache-Control: private`. */
  private: boolean;
}

/** Response headers as frameworks hold them (lower-case names). */
export type ResponseHeaders = Record<string, string | number | readonly string[] | undefined>;

/** A response as the framework produced it, before the integration decides anything. */
export interface CapturedResponse {
  status: number;
  headers: ResponseHeaders;
  /** undefined when the body was streamed (never stored). */
  body: Uint8Array | undefined;
}

/** What the capture rules need from the route. */
export interface StoreRules {
  statuses: readonly number[];
  cacheSetCookie: boolean;
  maxBodyBytes: number;
  /** Lower-case request header names the key varies on. */
  vary: readonly string[];
  /** The key includes a user: a `private` response may be stored (per user). */
  perUser: boolean;
}

/** Why a response was not stored (also the reason given to other waiting requests). */
export type UncacheableReason =
  | 'status'
  | 'stream'
  | 'size'
  | 'set-cookie'
  | 'no-store'
  | 'private'
  | 'vary'
  | 'content-encoding'
  | 'aborted'
  | 'handler-error';

const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  'age',
  'content-length',
  'etag',
  'vary',
  'set-cookie',
  'proxy-authenticate',
  'upgrade',
  'trailer',
]);

function headerList(v: ResponseHeaders[string]): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** The response's Vary header names (lower case). */
function varyOf(headers: ResponseHeaders): string[] {
  return headerList(headers.vary)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}

/** Returns why `r` must not be stored, or undefined when it may be. */
export function uncacheableReason(r: CapturedResponse, rules: StoreRules): UncacheableReason | undefined {
  if (!rules.statuses.includes(r.status)) return 'status';
  if (r.body === undefined) return 'stream';
  if (r.body.byteLength > rules.maxBodyBytes) return 'size';
  if (r.headers['set-cookie'] !== undefined && !rules.cacheSetCookie) return 'set-cookie';
  const cc = parseCacheControl(headerList(r.headers['cache-control']));
  if (cc.has('no-store')) return 'no-store';
  if (cc.has('private') && !rules.perUser) return 'private';
  for (const name of varyOf(r.headers)) if (name === '*' || !rules.vary.includes(name)) return 'vary';
  if (r.headers['content-encoding'] !== undefined && !rules.vary.includes('accept-encoding'))
    return 'content-encoding';
  return undefined;
}

/** A strong validator from the body. */
export function etagOf(body: Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Builds the stored form of a response that passed uncacheableReason(). */
export function toStored(
  r: CapturedResponse & { body: Uint8Array },
  windows: { ttl: number; staleWhileRevalidate: number; grace: number },
  perUser: boolean,
  now: number,
): StoredResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    const n = name.toLowerCase();
    if (value === undefined || NOT_STORED.has(n)) continue;
    headers[n] = Array.isArray(value) ? value.map(String) : String(value);
  }
  if (r.headers['set-cookie'] !== undefined) headers['set-cookie'] = headerList(r.headers['set-cookie']);
  const given = r.headers.etag;
  return {
    status: r.status,
    headers,
    // A copy: the framework may reuse its buffer.
    body: Buffer.from(r.body),
    etag: given === undefined ? etagOf(r.body) : String(given),
    storedAt: now,
    ttl: windows.ttl,
    staleWhileRevalidate: windows.staleWhileRevalidate,
    grace: windows.grace,
    private: perUser,
  };
}

/** The body as a Buffer without copying it (frameworks send Buffers as they are). */
export function bodyBuffer(entry: StoredResponse): Buffer {
  const b = entry.body;
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Narrows a value read from the cache to a StoredResponse (a key may have been written by something else). */
export function isStoredResponse(v: unknown): v is StoredResponse {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<StoredResponse>;
  return (
    typeof s.status === 'number' &&
    typeof s.etag === 'string' &&
    typeof s.storedAt === 'number' &&
    s.body instanceof Uint8Array &&
    typeof s.headers === 'object'
  );
}

/**
 * A signed HTTP webhook that invalidates (node:http only): external systems (CDC pipelines, AWS EventBridge API
 * destinations, CI jobs) POST what changed and the cache invalidates it here and, through the bus, everywhere.
 *
 * Authentication, one of:
 * - HMAC: `x-omnicache-timestamp: <unix ms>` and `x-omnicache-signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`;
 *   several secrets may be configured (rotation).
 * - API key (for EventBridge connections with API_KEY authorization, which cannot sign): a configured header and
 *   value; only EventBridge envelopes are accepted this way (their `id` and `time` give idempotency and replay
 *   protection).
 * Requests older or newer than `toleranceMs` are refused (replay window); an idempotency key (`idempotency-key`
 * header, or the envelope `id`) is applied once; bodies over `maxBodyBytes` are refused before being read whole.
 *
 * Body: `{ key } | { keys: [...] } | { tag } | { prefix }`, optionally with `namespace: "a:b"`, either as is or as
 * the `detail` of an EventBridge event envelope (`{ version, id, "detail-type", source, time, detail, ... }`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type * as Zod from 'zod';
import { INVALIDATE_FROM, type InvalidationResult, type InvalidationTarget } from '../cache/invalidation.js';
import type { Cache } from '../cache.js';
import { ConfigError, InvalidKeyError } from '../errors.js';
import { zod } from '../vendor/lazy-deps.js';

export const SIGNATURE_HEADER = 'x-omnicache-signature';
export const TIMESTAMP_HEADER = 'x-omnicache-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

type Secret = string | Uint8Array;

export interface WebhookOptions {
  /** The cache (or namespace view) to invalidate in; a request may name a namespace below it. */
  cache: Cache;
  /** HMAC secret(s): the first signs nothing here, every one is accepted (rotate by adding the new one first). */
  secrets?: Secret | readonly Secret[];
  /** Header + value an EventBridge connection sends (API_KEY authorization). */
  apiKey?: { header: string; value: string };
  /** Largest body accepted in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Replay window: how far a request's time may be from now, either way (default 5 minutes). */
  toleranceMs?: number;
  /** Idempotency keys remembered (default 100000); each for twice the tolerance. */
  maxIdempotencyKeys?: number;
  now?: () => number;
}

export type WebhookRejection =
  | 'method'
  | 'path'
  | 'too-large'
  | 'unauthenticated'
  | 'bad-signature'
  | 'stale'
  | 'replay'
  | 'malformed';

export interface WebhookStats {
  accepted: number;
  rejected: Record<WebhookRejection, number>;
}

/** The schemas, built on first use so that importing omnicache does not load zod (see vendor/lazy-deps.ts). */
function buildSchemas(z: typeof Zod.z) {
  const name = z.string().min(1).max(4096);
  const targetSchema = z
    .object({
      namespace: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}(:[A-Za-z0-9_.-]{1,64})*$/)
        .optional(),
      key: name.optional(),
      keys: z.array(name).min(1).max(1000).optional(),
      tag: name.optional(),
      prefix: name.optional(),
    })
    .strict()
    .refine(
      (b) => [b.key, b.keys, b.tag, b.prefix].filter((v) => v !== undefined).length === 1,
      'exactly one of key, keys, tag, prefix',
    );

  const envelopeSchema = z
    .object({
      version: z.string(),
      id: z.string().min(1).max(256),
      'detail-type': z.string(),
      source: z.string(),
      time: z.string().datetime({ offset: true }),
      detail: z.unknown(),
    })
    .passthrough();
  return { targetSchema, envelopeSchema };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = (): ReturnType<typeof buildSchemas> => {
  built ??= buildSchemas(zod());
  return built;
};

class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
  }
}

/** Remembers idempotency keys for a while, bounded (oldest forgotten first). */
class SeenKeys {
  readonly #seen = new Map<string, number>();
  constructor(
    readonly max: number,
    readonly ttlMs: number,
  ) {}
  /** True when `key` was seen within the TTL; records it otherwise. */
  check(key: string, now: number): boolean {
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < this.ttlMs) return true;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    for (const [k, t] of this.#seen) {
      if (this.#seen.size <= this.max && now - t < this.ttlMs) break;
      this.#seen.delete(k);
    }
    return false;
  }
  /** The request was not applied after all: a retry may apply it. */
  forget(key: string): void {
    this.#seen.delete(key);
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: IncomingMessage, h: string): string | undefined {
  const v = req.headers[h.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The request handler, for mounting in an existing node:http (or compatible) server. */
export class WebhookHandler {
  readonly #cache: Cache;
  readonly #secrets: Buffer[];
  readonly #apiKey: { header: string; value: Buffer } | undefined;
  readonly #maxBody: number;
  readonly #tolerance: number;
  readonly #seen: SeenKeys;
  readonly #now: () => number;
  readonly stats: WebhookStats = {
    accepted: 0,
    rejected: {
      method: 0,
      path: 0,
      'too-large': 0,
      unauthenticated: 0,
      'bad-signature': 0,
      stale: 0,
      replay: 0,
      malformed: 0,
    },
  };

  constructor(options: WebhookOptions) {
    const list =
      options.secrets === undefined
        ? []
        : Array.isArray(options.secrets)
          ? options.secrets
          : [options.secrets];
    this.#secrets = (list as Secret[]).map((s) => Buffer.from(s));
    if (this.#secrets.some((s) => s.length < 16)) {
      throw new ConfigError('webhook secrets must be at least 16 bytes; use a random secret of 32 bytes');
    }
    if (options.apiKey !== undefined && options.apiKey.value.length < 16) {
      throw new ConfigError('webhook apiKey.value must be at least 16 characters');
    }
    if (this.#secrets.length === 0 && options.apiKey === undefined) {
      throw new ConfigError('webhook needs secrets (HMAC) or apiKey (EventBridge API destinations), or both');
    }
    this.#cache = options.cache;
    this.#apiKey =
      options.apiKey === undefined
        ? undefined
        : { header: options.apiKey.header.toLowerCase(), value: Buffer.from(options.apiKey.value) };
    this.#maxBody = options.maxBodyBytes ?? 64 * 1024;
    this.#tolerance = options.toleranceMs ?? 5 * 60_000;
    this.#seen = new SeenKeys(options.maxIdempotencyKeys ?? 100_000, 2 * this.#tolerance);
    this.#now = options.now ?? Date.now;
  }

  /** Handles one request (any path: mount it where it belongs). */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#handle(req, res).catch((error: unknown) => {
      const r = error instanceof Rejection ? error : undefined;
      if (r !== undefined) this.stats.rejected[r.reason]++;
      if (res.headersSent) return;
      res.writeHead(r?.status ?? 500, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({ error: r?.reason ?? 'internal', message: r?.message ?? 'invalidation failed' }),
        () => {
          if (r?.reason === 'too-large') req.destroy();
        },
      );
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new Rejection(405, 'method', 'use POST');
    const body = await this.#readBody(req);
    const now = this.#now();
    const signature = header(req, SIGNATURE_HEADER);
    const apiKey = this.#apiKey === undefined ? undefined : header(req, this.#apiKey.header);
    let json: unknown;
    let time: number;
    let idempotencyKey: string | undefined = header(req, IDEMPOTENCY_HEADER);
    if (signature !== undefined && this.#secrets.length > 0) {
      const ts = header(req, TIMESTAMP_HEADER) ?? '';
      if (!/^\d{1,16}$/.test(ts))
        throw new Rejection(401, 'unauthenticated', `${TIMESTAMP_HEADER} must be unix milliseconds`);
      const given = Buffer.from(signature.startsWith('v1=') ? signature.slice(3) : '', 'hex');
      const ok = this.#secrets.some((s) =>
        safeEqual(given, createHmac('sha256', s).update(`${ts}.`).update(body).digest()),
      );
      if (!ok) throw new Rejection(401, 'bad-signature', 'signature does not match');
      time = Number(ts);
      json = parseJson(body);
      // Without an explicit key, the signed request itself is the key: the same request twice is a replay.
      idempotencyKey ??= `sig:${signature}`;
    } else if (apiKey !== undefined && this.#apiKey !== undefined) {
      if (!safeEqual(Buffer.from(apiKey), this.#apiKey.value))
        throw new Rejection(401, 'bad-signature', 'wrong API key');
      json = parseJson(body);
      if (!schemas().envelopeSchema.safeParse(json).success) {
        throw new Rejection(
          400,
          'malformed',
          'API-key requests must be EventBridge events (id, time, detail)',
        );
      }
      time = Number.NaN;
    } else {
      throw new Rejection(
        401,
        'unauthenticated',
        `missing ${SIGNATURE_HEADER}${this.#apiKey ? ` or ${this.#apiKey.header}` : ''}`,
      );
    }
    const envelope = schemas().envelopeSchema.safeParse(json);
    if (envelope.success) {
      json = envelope.data.detail;
      idempotencyKey = `eb:${envelope.data.id}`;
      if (Number.isNaN(time)) time = Date.parse(envelope.data.time);
    }
    if (!(Math.abs(now - time) <= this.#tolerance)) {
      throw new Rejection(401, 'stale', `request time is outside the ${this.#tolerance} ms window`);
    }
    const parsed = schemas().targetSchema.safeParse(json);
    if (!parsed.success)
      throw new Rejection(400, 'malformed', parsed.error.issues[0]?.message ?? 'invalid body');
    if (idempotencyKey !== undefined && this.#seen.check(idempotencyKey, now)) {
      throw new Rejection(409, 'replay', 'this request (idempotency key) was already applied');
    }
    const b = parsed.data;
    let view = this.#cache;
    for (const ns of b.namespace?.split(':') ?? []) view = view.namespace(ns);
    const targets: InvalidationTarget[] =
      b.key !== undefined
        ? [b.key]
        : b.keys !== undefined
          ? b.keys
          : b.tag !== undefined
            ? [{ tag: b.tag }]
            : [{ prefix: b.prefix! }];
    const results: InvalidationResult[] = [];
    try {
      for (const t of targets) results.push(await view[INVALIDATE_FROM](t, 'webhook'));
    } catch (error) {
      if (idempotencyKey !== undefined) this.#seen.forget(idempotencyKey);
      if (error instanceof InvalidKeyError) throw new Rejection(400, 'malformed', error.message);
      throw error;
    }
    this.stats.accepted++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        keys: results.flatMap((r) => r.keys),
        removed: results.reduce((n, r) => n + r.removed, 0),
      }),
    );
  }

  #readBody(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBody) {
      req.resume();
      return Promise.reject(new Rejection(413, 'too-large', `body over ${this.#maxBody} bytes`));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.#maxBody) {
          // Stop reading; the connection is closed once the 413 is sent.
          req.removeAllListeners('data');
          req.pause();
          reject(new Rejection(413, 'too-large', `body over ${this.#maxBody} bytes`));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Rejection(400, 'malformed', 'body is not JSON');
  }
}

export interface WebhookServer {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly port: number;
  readonly handler: WebhookHandler;
  close(): Promise<void>;
}

/** A node:http server running the webhook (default 127.0.0.1 on a free port). */
export async function startWebhookServer(
  options: WebhookOptions & { host?: string; port?: number },
): Promise<WebhookServer> {
  const handler = new WebhookHandler(options);
  const server: Server = createServer(handler.handle);
  server.requestTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs a body for the webhook (for senders written in Node, and tests). */
export function signWebhook(
  secret: Secret,
  body: string | Uint8Array,
  timestamp: number = Date.now(),
): Record<string, string> {
  const ts = String(timestamp);
  const mac = createHmac('sha256', Buffer.from(secret)).update(`${ts}.`).update(body).digest('hex');
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: `v1=${mac}` };
}

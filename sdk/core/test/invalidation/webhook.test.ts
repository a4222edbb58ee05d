import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Cache,
  ConfigError,
  createCache,
  signWebhook,
  startWebhookServer,
  type WebhookServer,
} from '../../src/index.js';
import { FakeHub } from '../helpers/fake-bus.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const OLD_SECRET = 'previous-secret-0123456789abcdef';
const API_KEY = 'eventbridge-api-key-0123456789';

interface Reply {
  status: number;
  body: { error?: string; keys?: string[]; removed?: number };
}

/** POST with explicit control over headers and (possibly chunked) body. */
function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  chunked = false,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(chunked
          ? { 'transfer-encoding': 'chunked' }
          : { 'content-length': String(Buffer.byteLength(body)) }),
        ...headers,
      },
    });
    req.on('response', (res) => {
      let data = '';
      res.on('data', (c) => {
        data += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : {} }));
    });
    req.on('error', reject);
    if (chunked) {
      const b = Buffer.from(body);
      for (let i = 0; i < b.length; i += 1024) req.write(b.subarray(i, i + 1024));
      req.end();
    } else req.end(body);
  });
}

function envelope(detail: unknown, id = 'evt-1', time = new Date().toISOString()) {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'omnicache.invalidate',
    source: 'cdc.orders',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: [],
    detail,
  });
}

describe('signed invalidation webhook', () => {
  let hub: FakeHub;
  let a: Cache;
  let b: Cache;
  let server: WebhookServer;
  beforeEach(async () => {
    hub = new FakeHub();
    a = createCache({ name: 'wh', l1: { capacity: 100 }, bus: hub.bus() });
    b = createCache({ name: 'wh', l1: { capacity: 100 }, bus: hub.bus() });
    await Promise.all([a.bus?.ready, b.bus?.ready]);
    server = await startWebhookServer({
      cache: a,
      secrets: [SECRET, OLD_SECRET],
      apiKey: { header: 'x-api-key', value: API_KEY },
      maxBodyBytes: 4096,
      toleranceMs: 60_000,
    });
  });
  afterEach(async () => {
    await server.close();
    await Promise.all([a.close(), b.close()]);
  });

  it('applies a signed request here and on the other instances, once', async () => {
    await a.getOrSet('order:1', () => 'x');
    await b.getOrSet('order:1', () => 'x');
    await a.set('order:1:total', 10, { dependsOn: ['order:1'] });
    const body = JSON.stringify({ key: 'order:1' });
    const headers = { ...signWebhook(SECRET, body), 'idempotency-key': 'req-1' };
    const r = await post(server.url, body, headers);
    expect(r.status).toBe(200);
    expect(r.body.keys?.sort()).toEqual(['order:1', 'order:1:total']);
    await new Promise((res) => setTimeout(res, 5));
    expect(await a.get('order:1')).toBeUndefined();
    expect(await b.get('order:1')).toBeUndefined();
    expect(a.stats().invalidation?.invalidations).toContainEqual({
      cause: 'invalidate',
      source: 'webhook',
      count: 1,
    });
    // The same request again (a replay, or a retry) is refused and applies nothing.
    await b.getOrSet('order:1', () => 'y');
    expect((await post(server.url, body, headers)).status).toBe(409);
    await new Promise((res) => setTimeout(res, 5));
    expect(await b.get('order:1')).toBe('y');
    // Also without an idempotency key, the identical signed request is a replay.
    const h2 = signWebhook(OLD_SECRET, body); // a rotated-out secret still accepted
    expect((await post(server.url, body, h2)).status).toBe(200);
    expect((await post(server.url, body, h2)).status).toBe(409);
  });

  it('rejects bad signatures, stale or future timestamps, oversized and malformed bodies', async () => {
    const body = JSON.stringify({ tag: 'orders', namespace: 'eu' });
    const wrong = { ...signWebhook('another-secret-0123456789abcdef', body) };
    expect((await post(server.url, body, wrong)).body.error).toBe('bad-signature');
    const tampered = signWebhook(SECRET, body);
    expect((await post(server.url, body.replace('orders', 'users'), tampered)).status).toBe(401);
    expect((await post(server.url, body, { 'x-omnicache-signature': 'v1=00' })).body.error).toBe(
      'unauthenticated',
    );
    expect((await post(server.url, body, {})).status).toBe(401);
    const old = signWebhook(SECRET, body, Date.now() - 120_000);
    expect((await post(server.url, body, old)).body.error).toBe('stale');
    const future = signWebhook(SECRET, body, Date.now() + 120_000);
    expect((await post(server.url, body, future)).body.error).toBe('stale');
    const big = JSON.stringify({ key: 'k'.repeat(5000) });
    expect((await post(server.url, big, signWebhook(SECRET, big))).status).toBe(413);
    // Without a content-length: cut off while streaming.
    expect((await post(server.url, big, signWebhook(SECRET, big), true)).status).toBe(413);
    for (const bad of [
      '{',
      JSON.stringify({ key: 'a', tag: 'b' }),
      JSON.stringify({ nothing: 1 }),
      JSON.stringify({ key: 'a', namespace: 'bad ns' }),
    ]) {
      const r = await post(server.url, bad, signWebhook(SECRET, bad));
      expect([r.status, r.body.error]).toEqual([400, 'malformed']);
    }
    // A key the cache refuses (over maxKeyLength) is a 400, and the idempotency key stays usable.
    const long = JSON.stringify({ key: 'k'.repeat(1100) });
    const h = { ...signWebhook(SECRET, long), 'idempotency-key': 'long-1' };
    expect((await post(server.url, long, h)).body.error).toBe('malformed');
    const stats = server.handler.stats;
    expect(stats.accepted).toBe(0);
    expect(stats.rejected).toMatchObject({
      'bad-signature': 2,
      unauthenticated: 2,
      stale: 2,
      'too-large': 2,
      malformed: 5,
    });
  });

  it('accepts EventBridge API-destination envelopes (API key or HMAC), idempotent on the event id', async () => {
    const ns = a.namespace('eu');
    await ns.getOrSet('o1', () => 1, { tags: ['orders'] });
    const body = envelope({ tag: 'orders', namespace: 'eu' }, 'evt-42');
    const r = await post(server.url, body, { 'x-api-key': API_KEY });
    expect(r.status).toBe(200);
    expect(await ns.get('o1')).toBeUndefined();
    expect((await post(server.url, body, { 'x-api-key': API_KEY })).body.error).toBe('replay');
    expect(
      (await post(server.url, envelope({ key: 'x' }, 'evt-43'), { 'x-api-key': 'wrong-key-0123456789abc' }))
        .status,
    ).toBe(401);
    const stale = envelope({ key: 'x' }, 'evt-44', new Date(Date.now() - 3_600_000).toISOString());
    expect((await post(server.url, stale, { 'x-api-key': API_KEY })).body.error).toBe('stale');
    // The API key only admits envelopes (they carry id and time for replay protection).
    const plain = JSON.stringify({ key: 'x' });
    expect((await post(server.url, plain, { 'x-api-key': API_KEY })).body.error).toBe('malformed');
    const signed = envelope({ keys: ['p', 'q'] }, 'evt-45');
    expect((await post(server.url, signed, signWebhook(SECRET, signed))).status).toBe(200);
  });

  it('answers 405 to anything but POST, and refuses weak configuration', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(405);
    await expect(startWebhookServer({ cache: a, secrets: 'short' })).rejects.toThrow(ConfigError);
    await expect(startWebhookServer({ cache: a })).rejects.toThrow(ConfigError);
  });
});

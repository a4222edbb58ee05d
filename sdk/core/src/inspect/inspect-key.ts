/**
 * What the remote tiers hold for one key, read without a running cache (the `omnicache inspect` command):
 * per tier, whether the key is there, its size, envelope (compression, encryption key id), freshness windows
 * and tags. L1 lives inside each application process and cannot be seen from outside.
 */
import { type CacheConfig, parseCacheConfig } from '../cache/config.js';
import { childScope, invalidKey, rootScope, type Scope } from '../cache/scope.js';
import { Codec } from '../codec/codec.js';
import { COMPRESSION_BROTLI, COMPRESSION_DEFLATE, readEnvelope } from '../codec/envelope.js';
import type { Tier, TierKind } from '../tiers/tier.js';

export interface TierKeyReport {
  tier: 'l2' | 'l3';
  kind: TierKind;
  found: boolean;
  /** Stored bytes (envelope included). */
  bytes?: number;
  compression?: 'none' | 'brotli' | 'deflate';
  /** Id of the key the value is encrypted with; undefined when not encrypted. */
  encryptionKeyId?: string;
  /** fresh: served as is; stale: only inside the stale-while-revalidate/grace window; expired: never served. */
  state?: 'fresh' | 'stale' | 'expired';
  freshUntil?: string;
  staleUntil?: string;
  ttlMs?: number;
  tags?: readonly string[];
  /** The tier failed, or the bytes could not be decoded (what is known from the envelope is still given). */
  error?: string;
}

export interface KeyReport {
  cache: string;
  namespace: string;
  key: string;
  /** The key as the tiers store it. */
  storedKey: string;
  tiers: TierKeyReport[];
}

export interface InspectKeyOptions {
  /** Namespace path, `a` or `a:b` for nested namespaces. */
  namespace?: string;
  now?: number;
}

const COMPRESSION_NAMES = {
  0: 'none',
  [COMPRESSION_BROTLI]: 'brotli',
  [COMPRESSION_DEFLATE]: 'deflate',
} as const;

function scopeOf(cache: string, namespace: string | undefined): Scope {
  let scope = rootScope(cache);
  if (namespace === undefined || namespace === '') return scope;
  for (const segment of namespace.split(':')) scope = childScope(cache, scope, segment);
  return scope;
}

async function inspectTier(
  level: 'l2' | 'l3',
  tier: Tier,
  storedKey: string,
  codec: Codec,
  now: number,
): Promise<TierKeyReport> {
  const report: TierKeyReport = { tier: level, kind: tier.kind, found: false };
  let bytes: Uint8Array | undefined;
  try {
    bytes = await tier.get(storedKey);
  } catch (error) {
    report.error = `${level} (${tier.kind}) failed: ${error instanceof Error ? error.message : String(error)}`;
    return report;
  }
  if (bytes === undefined) return report;
  report.found = true;
  report.bytes = bytes.byteLength;
  try {
    const env = readEnvelope(bytes);
    report.compression = COMPRESSION_NAMES[env.compression];
    if (env.encryption !== undefined)
      report.encryptionKeyId = Buffer.from(env.encryption.keyId).toString('utf8');
    const rec = codec.decode(bytes);
    report.state = now < rec.freshUntil ? 'fresh' : now < rec.staleUntil ? 'stale' : 'expired';
    report.freshUntil = new Date(rec.freshUntil).toISOString();
    report.staleUntil = new Date(rec.staleUntil).toISOString();
    report.ttlMs = rec.ttl;
    report.tags = rec.tags ?? [];
  } catch (error) {
    report.error = `cannot decode: ${error instanceof Error ? error.message : String(error)}`;
  }
  return report;
}

/** Reads `key` from every remote tier of the cache `config` describes, then closes the tiers. */
export async function inspectKey(
  config: CacheConfig,
  key: string,
  options: InspectKeyOptions = {},
): Promise<KeyReport> {
  const c = parseCacheConfig(config);
  if (typeof key !== 'string' || key.length === 0 || key.length > c.maxKeyLength || key.charCodeAt(0) === 0)
    throw invalidKey(key, c.maxKeyLength);
  const scope = scopeOf(c.name, options.namespace);
  const storedKey = scope.keyPrefix + key;
  const codec = new Codec({ compressThreshold: c.codec.compressThreshold, compression: c.codec.compression });
  const now = options.now ?? Date.now();
  const tiers: [level: 'l2' | 'l3', tier: Tier][] = [];
  if (c.l2) tiers.push(['l2', c.l2.tier]);
  if (c.l3) tiers.push(['l3', c.l3.tier]);
  try {
    return {
      cache: c.name,
      namespace: scope.path,
      key,
      storedKey,
      tiers: await Promise.all(tiers.map(([level, t]) => inspectTier(level, t, storedKey, codec, now))),
    };
  } finally {
    await Promise.all(tiers.map(([, t]) => t.close().catch(() => undefined)));
  }
}

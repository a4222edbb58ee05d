import type { Codec } from '../../codec/codec.js';
import { readEnvelope } from '../../codec/envelope.js';
import { ConfigError } from '../../errors.js';
import type { Tier } from '../../tiers/tier.js';
import type { Encryptor } from './encryptor.js';

/** Where a re-encryption run is (save it to resume later) and what it did so far. */
export interface RotationState {
  /** Index into `tiers` of the tier being scanned. */
  tier: number;
  /** The tier's cursor for the next page; undefined at the start of a tier. */
  cursor: string | undefined;
  /** Values looked at. */
  scanned: number;
  /** Values re-encrypted under the current key. */
  rotated: number;
  /** Values already under the current key, expired, changed meanwhile, or gone. */
  skipped: number;
  /** Values that could not be opened (damaged, unknown key, KMS refused): left as they are and counted. */
  failed: number;
  /** Values not encrypted at all (written before encryption was on; the cache removes them when read). */
  plaintext: number;
  /** Values still under each key id after this run (for a dry run: as found). */
  remainingByKey: Record<string, number>;
  done: boolean;
}

export interface RotationOptions {
  /** The cache name: only keys of this cache (`name:`...) are touched. */
  cache: string;
  /** The remote tiers, in order (L2, L3); each must implement Tier.keys(). */
  tiers: readonly Tier[];
  /** A codec with the cache's encryption (same key ring as the cache). */
  codec: Codec;
  encryptor: Encryptor;
  /** Values per second at most, across tiers (default 200): keeps the tiers and the KMS unhurried. */
  ratePerSecond?: number;
  /** Keys per page (default 100). */
  batchSize?: number;
  /** Continue a run from its last checkpoint. */
  resume?: RotationState;
  /** Called after every page with the state to save (resume from it after an interruption). */
  onCheckpoint?(state: RotationState): void | Promise<void>;
  /** Count values per key id without rewriting anything (what `keys retire` checks). */
  dryRun?: boolean;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** The qualified tag prefix of a remote key: everything up to and including its `::`. */
function scopePrefix(cache: string, remoteKey: string): string {
  return remoteKey.slice(0, remoteKey.indexOf('::', cache.length) + 2);
}

function keyIdOf(bytes: Uint8Array): string | undefined | null {
  try {
    const env = readEnvelope(bytes);
    return env.encryption === undefined ? null : Buffer.from(env.encryption.keyId).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Re-encrypts, under the ring's current key, every value of a cache in its remote tiers that is sealed under
 * an older key: page by page (Tier.keys), rate-limited, checkpointed after each page so an interrupted run
 * resumes where it stopped. A value is rewritten with its own freshness, ttl and tags, and only if the bytes are
 * still those that were read (a write by the application in between wins; the remaining race is one page's
 * read-compare-write, which the tiers cannot make atomic). Values that cannot be opened are counted, not removed.
 */
export async function rotateKeys(options: RotationOptions): Promise<RotationState> {
  const { cache, tiers, codec, encryptor } = options;
  for (const t of tiers) {
    if (typeof t.keys !== 'function') {
      throw new ConfigError(
        `tier ${t.kind} cannot list its keys (Tier.keys); it cannot be re-encrypted in place`,
      );
    }
  }
  const rate = options.ratePerSecond ?? 200;
  const batch = options.batchSize ?? 100;
  if (!(rate > 0) || !(batch > 0)) throw new ConfigError('ratePerSecond and batchSize must be positive');
  const current = encryptor.provider.currentKeyId();
  const state: RotationState = options.resume
    ? { ...options.resume, remainingByKey: { ...options.resume.remainingByKey } }
    : {
        tier: 0,
        cursor: undefined,
        scanned: 0,
        rotated: 0,
        skipped: 0,
        failed: 0,
        plaintext: 0,
        remainingByKey: {},
        done: false,
      };
  const count = (id: string) => {
    state.remainingByKey[id] = (state.remainingByKey[id] ?? 0) + 1;
  };
  const started = Date.now();
  const startScanned = state.scanned;
  while (state.tier < tiers.length && options.signal?.aborted !== true) {
    const tier = tiers[state.tier]!;
    const page = await tier.keys!(`${cache}:`, state.cursor, batch);
    const values = page.keys.length === 0 ? [] : await tier.getMany(page.keys);
    const rewrites: {
      key: string;
      before: Uint8Array;
      after: Uint8Array;
      ttlMs: number;
      tags: string[] | undefined;
    }[] = [];
    const now = Date.now();
    for (let i = 0; i < page.keys.length; i++) {
      const key = page.keys[i]!;
      const bytes = values[i];
      if (bytes === undefined) continue;
      state.scanned++;
      const keyId = keyIdOf(bytes);
      if (keyId === null) {
        state.plaintext++;
        continue;
      }
      if (keyId === undefined) {
        state.failed++;
        continue;
      }
      if (keyId === current || options.dryRun) {
        count(keyId);
        if (keyId === current) state.skipped++;
        continue;
      }
      try {
        const record = await codec.decode(bytes, key);
        if (now >= record.staleUntil) {
          state.skipped++;
          continue;
        }
        const after = await codec.encode(record, key);
        const prefix = scopePrefix(cache, key);
        rewrites.push({
          key,
          before: bytes,
          after,
          ttlMs: record.staleUntil - now,
          tags: record.tags?.map((t) => prefix + t),
        });
      } catch {
        state.failed++;
        count(keyId);
      }
    }
    if (rewrites.length > 0) {
      const again = await tier.getMany(rewrites.map((r) => r.key));
      const writes = rewrites.filter((r, i) => {
        const b = again[i];
        const same = b !== undefined && Buffer.from(b).equals(Buffer.from(r.before));
        if (!same) state.skipped++;
        return same;
      });
      if (writes.length > 0) {
        await tier.setMany(
          writes.map((w) => ({
            key: w.key,
            value: w.after,
            ttlMs: w.ttlMs,
            ...(w.tags && { tags: w.tags }),
          })),
        );
        state.rotated += writes.length;
        for (let i = 0; i < writes.length; i++) count(current);
      }
    }
    state.cursor = page.cursor;
    if (page.cursor === undefined) {
      state.tier++;
    }
    await options.onCheckpoint?.({ ...state, remainingByKey: { ...state.remainingByKey } });
    // rate limit: never ahead of `rate` values per second since this run started
    const due = ((state.scanned - startScanned) / rate) * 1000 - (Date.now() - started);
    if (due > 0 && state.tier < tiers.length) await sleep(due, options.signal);
  }
  state.done = state.tier >= tiers.length;
  return state;
}

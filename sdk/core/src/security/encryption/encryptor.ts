import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { type CompressionId, type Envelope, writeEnvelope } from '../../codec/envelope.js';
import { ConfigError } from '../../errors.js';
import { DekCache } from './dek-cache.js';
import { EncryptionError, type EncryptionFailureReason, KeyProviderError } from './errors.js';
import type { KeyContext, KeyProvider } from './key-provider.js';
import { type DataKeyMaterial, deriveDataKeyMaterial } from './message-key.js';
import { RandomPool } from './random-pool.js';
import {
  DEK_BYTES,
  dataKeyId,
  NONCE_BYTES,
  readSealedHeader,
  sealedHeaderLength,
  TAG_BYTES,
  writeSealedHeader,
} from './sealed-format.js';
import { EncryptionCounters, type EncryptionStats } from './stats.js';

/** GCM with random 96-bit nonces is safe for well under 2^32 messages per key; stay far below it. */
export const MAX_ENCRYPTIONS_PER_DEK_LIMIT = 2 ** 31;

export interface EncryptionOptions {
  /** Where data keys come from: localKeyRing(...) or awsKmsKeyProvider(...) from omnicache/aws-kms. */
  provider: KeyProvider;
  /**
   * Which values are sealed: 'all' (default) or 'policy', only the namespaces whose value policy
   * (security.values) is 'encrypt'; the others are stored in the clear.
   */
  scope?: 'all' | 'policy';
  /** Unwrapped data keys kept in memory (least recently used dropped first). Default 1000. */
  dekCacheSize?: number;
  /**
   * How long an unwrapped data key stays in memory, and the longest a write key is used. While the provider is
   * unreachable, reads and writes continue on cached keys for up to this long. Default 1 hour.
   */
  dekTtlMs?: number;
  /** A write key older than this is replaced in the background (the old one serves until the new one is ready). Default 10 min. */
  dekRefreshMs?: number;
  /** Values sealed under one data key before it is retired for writes (< 2^31; replaced in the background at 3/4). Default 2^28. */
  maxEncryptionsPerDek?: number;
  /** Namespaces with a write key of their own held at once (bounded; the oldest is dropped). Default 1000. */
  maxWriteKeys?: number;
}

interface WriteKey {
  keyId: string;
  keyIdBytes: Buffer;
  namespace: string;
  material: DataKeyMaterial;
  /** The sealed-format header (data key id, wrapped key, commitment): the same for every value. */
  header: Buffer;
  createdAt: number;
  count: number;
}

/** A Buffer over the same memory (no copy), for toString. */
const view = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const AAD_LABEL = Buffer.from('omnicache/v1\u0000', 'ascii');
const ZERO_TAG = Buffer.alloc(TAG_BYTES);

function providerFailure(op: 'encrypt' | 'decrypt', error: unknown, keyId: string): EncryptionError {
  if (error instanceof EncryptionError) return error;
  const kind = error instanceof KeyProviderError ? error.kind : 'unavailable';
  const reason: EncryptionFailureReason =
    kind === 'refused' ? 'kms-refused' : kind === 'unknown-key' ? 'unknown-key' : 'kms-unavailable';
  const detail = error instanceof Error ? error.message : String(error);
  const advice =
    reason === 'kms-unavailable'
      ? 'the key provider is unreachable; cached data keys keep serving, check its endpoint and network'
      : reason === 'unknown-key'
        ? 'add the key to the ring on this instance, or re-encrypt with `omnicache keys rotate`'
        : 'check the key is enabled and this instance may use it with this cache and namespace';
  return new EncryptionError(op, reason, `key provider failed for key "${keyId}": ${detail}; ${advice}`, {
    cause: error,
    keyId,
  });
}

/**
 * Seals and opens envelope payloads with AES-256-GCM under per-namespace data keys (envelope encryption with
 * key commitment; layout in sealed-format.ts). Synchronous whenever the data key is in memory (the usual case);
 * a Promise only when a data key has to be generated or unwrapped by the key provider.
 */
export class Encryptor {
  readonly cache: string;
  readonly provider: KeyProvider;
  readonly counters = new EncryptionCounters();
  readonly #readKeys: DekCache;
  readonly #writeKeys = new Map<string, WriteKey>();
  readonly #pendingWrite = new Map<string, Promise<WriteKey>>();
  readonly #pendingRead = new Map<string, Promise<DataKeyMaterial>>();
  readonly #random = new RandomPool();
  readonly #ttlMs: number;
  readonly #refreshMs: number;
  readonly #maxCount: number;
  readonly #refreshCount: number;
  readonly #maxWriteKeys: number;

  constructor(cache: string, options: EncryptionOptions) {
    this.cache = cache;
    this.provider = options.provider;
    const max = options.maxEncryptionsPerDek ?? 2 ** 28;
    if (!Number.isInteger(max) || max < 1 || max > MAX_ENCRYPTIONS_PER_DEK_LIMIT) {
      throw new ConfigError(
        `encryption.maxEncryptionsPerDek must be an integer from 1 to 2^31 (random 96-bit GCM nonces); got ${max}`,
      );
    }
    if (options.scope !== undefined && options.scope !== 'all' && options.scope !== 'policy') {
      throw new ConfigError(`encryption.scope must be 'all' or 'policy'; got ${String(options.scope)}`);
    }
    this.#maxCount = max;
    this.#refreshCount = Math.max(1, Math.floor(max * 0.75));
    this.#ttlMs = options.dekTtlMs ?? 3_600_000;
    this.#refreshMs = Math.min(options.dekRefreshMs ?? 600_000, this.#ttlMs);
    this.#maxWriteKeys = options.maxWriteKeys ?? 1000;
    this.#readKeys = new DekCache(options.dekCacheSize ?? 1000, this.#ttlMs);
  }

  /** The namespace path inside a remote key (`cache::key` -> '', `cache:a:b::key` -> 'a:b'). */
  namespaceOf(remoteKey: string): string {
    const start = this.cache.length + 1;
    const end = remoteKey.indexOf('::', this.cache.length);
    if (!remoteKey.startsWith(this.cache) || end < 0) {
      throw new EncryptionError(
        'encrypt',
        'malformed',
        `remote key "${remoteKey}" is not a key of cache "${this.cache}"`,
      );
    }
    return end < start ? '' : remoteKey.slice(start, end);
  }

  // ------------------------------------------------------------------ seal

  /** A complete encrypted envelope for `payload` (already serialized and compressed) stored under `remoteKey`. */
  seal(compression: CompressionId, payload: Uint8Array, remoteKey: string): Uint8Array | Promise<Uint8Array> {
    const namespace = this.namespaceOf(remoteKey);
    const now = Date.now();
    const w = this.#writeKeys.get(namespace);
    if (w !== undefined && this.#usable(w, now)) {
      if (w.count >= this.#refreshCount || now - w.createdAt >= this.#refreshMs)
        this.#refreshInBackground(namespace);
      return this.#sealWith(w, compression, payload, remoteKey, namespace);
    }
    const kept = Uint8Array.from(payload); // the serializer may reuse its buffer while we wait for the key
    return this.#newWriteKey(namespace).then((k) =>
      this.#sealWith(k, compression, kept, remoteKey, namespace),
    );
  }

  #usable(w: WriteKey, now: number): boolean {
    return (
      w.count < this.#maxCount && now - w.createdAt < this.#ttlMs && w.keyId === this.provider.currentKeyId()
    );
  }

  #refreshInBackground(namespace: string): void {
    if (this.#pendingWrite.has(namespace)) return;
    this.#newWriteKey(namespace).catch(() => undefined);
  }

  #newWriteKey(namespace: string): Promise<WriteKey> {
    const pending = this.#pendingWrite.get(namespace);
    if (pending !== undefined) return pending;
    const keyId = this.provider.currentKeyId();
    const context: KeyContext = { cache: this.cache, namespace };
    this.counters.providerCalls++;
    const p = this.provider
      .generateDataKey(keyId, context)
      .then(
        (dk) => {
          if (dk.plaintext.length !== DEK_BYTES) {
            throw new EncryptionError(
              'encrypt',
              'kms-refused',
              `key provider returned a ${dk.plaintext.length}-byte data key; 32 bytes are required`,
              { keyId },
            );
          }
          const now = Date.now();
          const dekId = dataKeyId(dk.keyId, dk.wrapped);
          const material = deriveDataKeyMaterial(dk.plaintext, dekId);
          dk.plaintext.fill(0);
          const header = Buffer.allocUnsafe(sealedHeaderLength(dk.wrapped.length));
          writeSealedHeader(header, 0, dekId, dk.wrapped, material.commitment);
          const w: WriteKey = {
            keyId: dk.keyId,
            keyIdBytes: Buffer.from(dk.keyId, 'utf8'),
            namespace,
            material,
            header,
            createdAt: now,
            count: 0,
          };
          if (w.keyIdBytes.length > 255)
            throw new ConfigError(
              `key id "${dk.keyId}" is longer than 255 bytes; use a shorter key id or alias`,
            );
          this.#writeKeys.delete(namespace);
          this.#writeKeys.set(namespace, w);
          while (this.#writeKeys.size > this.#maxWriteKeys)
            this.#writeKeys.delete(this.#writeKeys.keys().next().value as string);
          const readCopy = { key: Buffer.from(material.key), commitment: material.commitment };
          this.#readKeys.set(dekId.toString('latin1'), readCopy, dk.keyId, namespace, now);
          this.counters.dataKeysGenerated++;
          return w;
        },
        (error: unknown) => {
          this.counters.providerErrors++;
          const e = providerFailure('encrypt', error, keyId);
          this.counters.fail('encrypt', e.reason);
          throw e;
        },
      )
      .finally(() => this.#pendingWrite.delete(namespace));
    this.#pendingWrite.set(namespace, p);
    return p;
  }

  #sealWith(
    w: WriteKey,
    compression: CompressionId,
    payload: Uint8Array,
    remoteKey: string,
    namespace: string,
  ): Uint8Array {
    w.count++;
    const nonce = this.#random.take(NONCE_BYTES);
    const headerLen = w.header.length;
    // the envelope up to the ciphertext, with a zero tag: its bytes (tag zeroed) are the AAD
    const head = writeEnvelope(compression, w.header, {
      keyId: w.keyIdBytes,
      nonce,
      tag: ZERO_TAG,
    }) as Buffer;
    const aad = this.#aad(remoteKey, namespace, head);
    const cipher = createCipheriv('aes-256-gcm', w.material.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ct = cipher.update(payload);
    const last = cipher.final();
    const out = Buffer.allocUnsafe(head.length + ct.length + last.length);
    head.copy(out, 0);
    cipher.getAuthTag().copy(out, head.length - headerLen - TAG_BYTES);
    ct.copy(out, head.length);
    if (last.length > 0) last.copy(out, head.length + ct.length);
    this.counters.encryptions++;
    return out;
  }

  /**
   * cache, namespace and remote key (length-prefixed), then the envelope head (every byte before the
   * ciphertext) with its tag zeroed: `tagAt` is where the tag sits in `head` (already zero when sealing).
   */
  #aad(remoteKey: string, namespace: string, head: Uint8Array, tagAt = -1): Buffer {
    const c = Buffer.byteLength(this.cache);
    const n = Buffer.byteLength(namespace);
    const k = Buffer.byteLength(remoteKey);
    const aad = Buffer.allocUnsafe(AAD_LABEL.length + 2 + c + 2 + n + 4 + k + head.length);
    let at = AAD_LABEL.copy(aad, 0);
    at = aad.writeUInt16BE(c, at);
    at += aad.write(this.cache, at, 'utf8');
    at = aad.writeUInt16BE(n, at);
    at += aad.write(namespace, at, 'utf8');
    at = aad.writeUInt32BE(k, at);
    at += aad.write(remoteKey, at, 'utf8');
    aad.set(head, at);
    if (tagAt >= 0) aad.fill(0, at + tagAt, at + tagAt + TAG_BYTES);
    return aad;
  }

  // ------------------------------------------------------------------ open

  /**
   * The plaintext payload of an encrypted envelope read from `remoteKey`. Throws (or rejects with)
   * EncryptionError; never returns bytes that did not authenticate.
   */
  open(env: Envelope, bytes: Uint8Array, remoteKey: string): Uint8Array | Promise<Uint8Array> {
    const enc = env.encryption;
    const keyId = enc === undefined ? undefined : view(enc.keyId).toString('utf8');
    const counted = (error: unknown): EncryptionError => {
      const e = error instanceof EncryptionError ? error : providerFailure('decrypt', error, keyId ?? '');
      this.counters.fail('decrypt', e.reason);
      return e;
    };
    try {
      if (enc === undefined || keyId === undefined) {
        throw new EncryptionError(
          'decrypt',
          'unencrypted',
          'stored value is not encrypted but this cache requires encryption; an instance without encryption keys writes to the same tier: configure the same encryption on every instance',
        );
      }
      if (enc.nonce.length !== NONCE_BYTES || enc.tag.length !== TAG_BYTES) {
        throw new EncryptionError(
          'decrypt',
          'malformed',
          'encrypted value has a nonce or tag of the wrong size; the stored bytes are damaged or foreign',
          { keyId },
        );
      }
      const header = readSealedHeader(env.payload, keyId);
      if (!this.provider.keyIds().includes(keyId)) {
        throw new EncryptionError(
          'decrypt',
          'unknown-key',
          `value is encrypted under key "${keyId}", which is not in this instance's key ring; add it to the ring (retire a key only when no data remains under it)`,
          { keyId },
        );
      }
      const namespace = this.namespaceOf(remoteKey);
      const id = view(header.dekId).toString('latin1');
      const now = Date.now();
      const cached = this.#readKeys.get(id, now);
      if (cached !== undefined && cached.keyId === keyId && cached.namespace === namespace) {
        this.counters.dekCacheHits++;
        return this.#openWith(cached.material, env, bytes, header, remoteKey, namespace, keyId);
      }
      this.counters.dekCacheMisses++;
      return this.#unwrap(id, keyId, header.wrapped, header.dekId, namespace, now)
        .then((material) => this.#openWith(material, env, bytes, header, remoteKey, namespace, keyId))
        .catch((error: unknown) => {
          throw counted(error);
        });
    } catch (error) {
      throw counted(error);
    }
  }

  #unwrap(
    id: string,
    keyId: string,
    wrapped: Uint8Array,
    dekId: Uint8Array,
    namespace: string,
    now: number,
  ): Promise<DataKeyMaterial> {
    const flight = `${namespace}\u0000${id}`;
    const pending = this.#pendingRead.get(flight);
    if (pending !== undefined) return pending;
    // the data key id is a hash of the wrapped key: a value cannot name one data key and carry another
    if (!dataKeyId(keyId, wrapped).equals(dekId)) {
      return Promise.reject(
        new EncryptionError(
          'decrypt',
          'tampered',
          'encrypted value names a data key that does not match its wrapped key; the stored bytes were altered',
          { keyId },
        ),
      );
    }
    const copy = Uint8Array.from(wrapped);
    this.counters.providerCalls++;
    const p = this.provider
      .unwrapDataKey(keyId, copy, { cache: this.cache, namespace })
      .then(
        (plain) => {
          if (plain.length !== DEK_BYTES)
            throw new KeyProviderError(
              'refused',
              keyId,
              `unwrapped data key has ${plain.length} bytes, not 32`,
            );
          const material = deriveDataKeyMaterial(plain, dekId);
          plain.fill(0);
          this.#readKeys.set(id, material, keyId, namespace, now);
          return material;
        },
        (error: unknown) => {
          this.counters.providerErrors++;
          throw error;
        },
      )
      .finally(() => this.#pendingRead.delete(flight));
    this.#pendingRead.set(flight, p);
    return p;
  }

  #openWith(
    material: DataKeyMaterial,
    env: Envelope,
    bytes: Uint8Array,
    header: ReturnType<typeof readSealedHeader>,
    remoteKey: string,
    namespace: string,
    keyId: string,
  ): Uint8Array {
    if (!timingSafeEqual(material.commitment, header.commitment)) {
      throw new EncryptionError(
        'decrypt',
        'commitment',
        'key commitment does not match: the value was sealed under another key or altered',
        { keyId },
      );
    }
    const ctLength = env.payload.length - header.length;
    const headLength = bytes.length - ctLength;
    const head = bytes.subarray(0, headLength);
    const decipher = createDecipheriv('aes-256-gcm', material.key, env.encryption!.nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(this.#aad(remoteKey, namespace, head, headLength - header.length - TAG_BYTES));
    decipher.setAuthTag(env.encryption!.tag);
    const ct = env.payload.subarray(header.length);
    let plain: Buffer;
    try {
      const a = decipher.update(ct);
      const b = decipher.final();
      plain = b.length === 0 ? a : Buffer.concat([a, b]);
    } catch (error) {
      throw new EncryptionError(
        'decrypt',
        'tampered',
        'encrypted value failed authentication: it was altered, truncated, or copied from another key, namespace or cache',
        { cause: error, keyId },
      );
    }
    this.counters.decryptions++;
    return plain;
  }

  /** Counters and key ages for cache.stats().encryption. */
  stats(now = Date.now()): EncryptionStats {
    const c = this.counters;
    const keyAgesMs: Record<string, number> = {};
    for (const id of this.provider.keyIds()) {
      const created = this.provider.keyCreatedAt?.(id);
      if (created !== undefined) keyAgesMs[id] = Math.max(0, now - created);
    }
    return {
      provider: this.provider.name,
      currentKeyId: this.provider.currentKeyId(),
      encryptions: c.encryptions,
      decryptions: c.decryptions,
      failures: { encrypt: { ...c.failures.encrypt }, decrypt: { ...c.failures.decrypt } },
      dekCache: { hits: c.dekCacheHits, misses: c.dekCacheMisses, entries: this.#readKeys.size },
      dataKeysGenerated: c.dataKeysGenerated,
      providerCalls: c.providerCalls,
      providerErrors: c.providerErrors,
      keyAgesMs,
    };
  }

  /** Drops every data key held in memory. */
  close(): void {
    this.#readKeys.clear();
    for (const w of this.#writeKeys.values()) w.material.key.fill(0);
    this.#writeKeys.clear();
  }
}

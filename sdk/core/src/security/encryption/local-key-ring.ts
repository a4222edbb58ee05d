import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { KeyProviderError, WeakKeyError } from './errors.js';
import { type DataKey, type KeyContext, type KeyProvider, keyContextBytes } from './key-provider.js';

/** One key of a local ring. `key` is 32 bytes: raw, or base64 / hex text. */
export interface LocalKey {
  id: string;
  key: Uint8Array | string;
  /** When the key was created (epoch ms or ISO date): the key-age metric and `omnicache security scan` use it. */
  createdAt?: number | string;
}

export interface LocalKeyRingOptions {
  /**
   * A key file: JSON `[{ "id": "2026-11", "key": "<base64 of 32 random bytes>", "createdAt": "2026-11-01" }, ...]`.
   * The last key is the current one (append a key to rotate). Refused when other users may read or write it
   * (chmod 600).
   */
  file?: string;
  /**
   * An environment variable holding the same JSON, or `id:base64key[,id:base64key...]`.
   * Default `OMNICACHE_ENCRYPTION_KEYS` when neither `file` nor `keys` is given.
   */
  env?: string;
  /** Where `env` is read from (default process.env). */
  environment?: Readonly<Record<string, string | undefined>>;
  /** Keys given directly (from a secrets manager, tests), oldest first. */
  keys?: readonly LocalKey[];
  /** The key new data keys are wrapped under; default the last one. */
  currentKeyId?: string;
}

export const DEFAULT_KEYS_ENV = 'OMNICACHE_ENCRYPTION_KEYS';
const KEY_ID = /^[A-Za-z0-9_.:/-]{1,128}$/;
const NONCE = 12;
const TAG = 16;

function decodeKeyText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t))
    return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
  return Buffer.from(t, 'utf8');
}

/**
 * Refuses a key that cannot be 32 random bytes: wrong size, few distinct byte values, all printable text (a
 * password, not a key), or a constant-step sequence. 32 bytes from a CSPRNG pass with overwhelming probability
 * (they show about 30 distinct values; printable-only happens with probability ~1e-14).
 */
export function checkKeyStrength(key: Uint8Array, id: string): void {
  const fix = 'generate one with `openssl rand -base64 32` (or `omnicache keys generate`)';
  if (key.length !== 32) {
    throw new WeakKeyError(
      `encryption key "${id}" is ${key.length} bytes; AES-256 needs exactly 32 random bytes: ${fix}`,
    );
  }
  const distinct = new Set(key).size;
  let printable = true;
  let constantStep = true;
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    if (b < 0x20 || b > 0x7e) printable = false;
    if (i >= 2 && ((key[i]! - key[i - 1]!) & 0xff) !== ((key[1]! - key[0]!) & 0xff)) constantStep = false;
  }
  if (distinct < 16 || printable || constantStep) {
    throw new WeakKeyError(
      `encryption key "${id}" has too little entropy (${distinct} distinct byte values${printable ? ', all printable text' : ''}${constantStep ? ', a regular sequence' : ''}); ${fix}`,
    );
  }
}

function parseCreatedAt(v: number | string | undefined, id: string): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t))
    throw new ConfigError(`encryption key "${id}": createdAt "${String(v)}" is not a date`);
  return t;
}

function parseKeyText(text: string, source: string): LocalKey[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch (error) {
      throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(parsed))
      throw new ConfigError(`${source} must be a JSON array of { id, key, createdAt? }`);
    return parsed.map((k, i) => {
      const o = k as { id?: unknown; key?: unknown; createdAt?: unknown };
      if (typeof o?.id !== 'string' || typeof o.key !== 'string') {
        throw new ConfigError(`${source}: entry ${i} needs string "id" and "key" fields`);
      }
      return { id: o.id, key: o.key, createdAt: o.createdAt as string | number | undefined };
    });
  }
  return t
    .split(',')
    .filter((p) => p.trim().length > 0)
    .map((p) => {
      const at = p.indexOf(':');
      if (at <= 0) throw new ConfigError(`${source}: expected id:base64key entries separated by commas`);
      return { id: p.slice(0, at).trim(), key: p.slice(at + 1).trim() };
    });
}

/** Reads a key file, refusing one that users other than its owner may read or write. */
function readKeyFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new ConfigError(`encryption key file ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if ((mode & 0o006) !== 0) {
    throw new WeakKeyError(
      `encryption key file ${path} is ${(mode & 0o004) !== 0 ? 'readable' : 'writable'} by every user (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``,
    );
  }
  return readFileSync(path, 'utf8');
}

interface RingKey {
  id: string;
  key: Buffer;
  createdAt: number | undefined;
}

/**
 * A key ring held in this process: key-encryption keys from a file, an environment variable or code. Data keys
 * are generated here (32 random bytes) and wrapped with AES-256-GCM under the current key, bound to the cache
 * and namespace (AAD). Reads accept every key of the ring.
 */
export class LocalKeyRing implements KeyProvider {
  readonly name = 'local';
  readonly #keys = new Map<string, RingKey>();
  readonly #ids: string[];
  readonly #current: string;

  constructor(options: LocalKeyRingOptions = {}) {
    let keys: LocalKey[];
    if (options.keys !== undefined) keys = [...options.keys];
    else if (options.file !== undefined)
      keys = parseKeyText(readKeyFile(options.file), `key file ${options.file}`);
    else {
      const name = options.env ?? DEFAULT_KEYS_ENV;
      const v = (options.environment ?? process.env)[name];
      if (v === undefined || v.trim() === '') {
        throw new ConfigError(
          `environment variable ${name} holds no encryption keys; set it to id:base64key (32 random bytes) or use a key file`,
        );
      }
      keys = parseKeyText(v, `environment variable ${name}`);
    }
    if (keys.length === 0) throw new ConfigError('the encryption key ring is empty; add at least one key');
    for (const k of keys) {
      if (!KEY_ID.test(k.id))
        throw new ConfigError(
          `encryption key id "${k.id}" is invalid; use 1-128 characters from A-Z a-z 0-9 _ . : / -`,
        );
      if (this.#keys.has(k.id))
        throw new ConfigError(`encryption key id "${k.id}" appears twice in the ring`);
      const bytes = typeof k.key === 'string' ? decodeKeyText(k.key) : Buffer.from(k.key);
      checkKeyStrength(bytes, k.id);
      this.#keys.set(k.id, { id: k.id, key: bytes, createdAt: parseCreatedAt(k.createdAt, k.id) });
    }
    this.#ids = keys.map((k) => k.id).reverse();
    const current = options.currentKeyId ?? this.#ids[0]!;
    if (!this.#keys.has(current)) throw new ConfigError(`currentKeyId "${current}" is not in the key ring`);
    this.#current = current;
  }

  currentKeyId(): string {
    return this.#current;
  }

  keyIds(): readonly string[] {
    return this.#ids;
  }

  keyCreatedAt(keyId: string): number | undefined {
    return this.#keys.get(keyId)?.createdAt;
  }

  #kek(keyId: string): Buffer {
    const k = this.#keys.get(keyId);
    if (k === undefined)
      throw new KeyProviderError('unknown-key', keyId, `key "${keyId}" is not in the local key ring`);
    return k.key;
  }

  async generateDataKey(keyId: string, context: KeyContext): Promise<DataKey> {
    const plaintext = randomBytes(32);
    return { keyId, plaintext, wrapped: this.wrap(keyId, plaintext, context) };
  }

  wrap(keyId: string, dek: Uint8Array, context: KeyContext): Uint8Array {
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', this.#kek(keyId), nonce, { authTagLength: TAG });
    c.setAAD(Buffer.concat([keyContextBytes(context), Buffer.from(`\u0000${keyId}`, 'utf8')]));
    return Buffer.concat([nonce, c.update(dek), c.final(), c.getAuthTag()]);
  }

  async unwrapDataKey(keyId: string, wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    const kek = this.#kek(keyId);
    if (wrapped.length !== NONCE + 32 + TAG) {
      throw new KeyProviderError(
        'refused',
        keyId,
        `wrapped data key is ${wrapped.length} bytes, not ${NONCE + 32 + TAG}`,
      );
    }
    const d = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, NONCE), { authTagLength: TAG });
    d.setAAD(Buffer.concat([keyContextBytes(context), Buffer.from(`\u0000${keyId}`, 'utf8')]));
    d.setAuthTag(wrapped.subarray(wrapped.length - TAG));
    try {
      return Buffer.concat([d.update(wrapped.subarray(NONCE, wrapped.length - TAG)), d.final()]);
    } catch (error) {
      throw new KeyProviderError(
        'refused',
        keyId,
        `data key does not unwrap under key "${keyId}" for this cache and namespace (wrong key, or copied from another namespace)`,
        { cause: error },
      );
    }
  }
}

export function localKeyRing(options: LocalKeyRingOptions = {}): LocalKeyRing {
  return new LocalKeyRing(options);
}

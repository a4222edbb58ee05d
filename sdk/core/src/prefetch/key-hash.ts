import { createHmac, randomBytes } from 'node:crypto';
import { KEY_HASH_LENGTH } from './messages.js';

/**
 * Keys leave the process only as a keyed HMAC: HMAC-SHA-256(secret, namespace NUL key), truncated to 128 bits,
 * base64url. Instances that share the secret (the `prefetch.hashKey` option) produce the same hash for the same
 * key, so the service learns across them and every instance can act on a hint; without a shared secret each
 * process hashes with a random one of its own.
 */
export class KeyHasher {
  readonly #secret: Buffer;

  constructor(secret: string | Uint8Array | undefined) {
    this.#secret =
      secret === undefined
        ? randomBytes(32)
        : Buffer.from(typeof secret === 'string' ? Buffer.from(secret) : secret);
  }

  hash(namespace: string, key: string): string {
    return createHmac('sha256', this.#secret)
      .update(namespace)
      .update('\0')
      .update(key)
      .digest('base64url')
      .slice(0, KEY_HASH_LENGTH);
  }
}

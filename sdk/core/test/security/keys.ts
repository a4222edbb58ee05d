import { randomBytes } from 'node:crypto';
import { Codec } from '../../src/codec/codec.js';
import { type EncryptionOptions, Encryptor } from '../../src/security/encryption/encryptor.js';
import { KeyProviderError } from '../../src/security/encryption/errors.js';
import type { KeyProvider } from '../../src/security/encryption/key-provider.js';
import { type LocalKey, LocalKeyRing } from '../../src/security/encryption/local-key-ring.js';

/** A fresh random key (tests never use fixed key material). */
export function freshKey(id: string, createdAt?: number): LocalKey {
  return { id, key: randomBytes(32), createdAt };
}

export function ring(...ids: string[]): LocalKeyRing {
  return new LocalKeyRing({ keys: ids.map((id) => freshKey(id)) });
}

export function encryptingCodec(
  cache: string,
  provider: EncryptionOptions['provider'],
  extra: Omit<EncryptionOptions, 'provider'> = {},
): { codec: Codec; encryptor: Encryptor } {
  const encryptor = new Encryptor(cache, { provider, ...extra });
  return { codec: new Codec({ compressThreshold: false, encryptor }), encryptor };
}

/** A key provider that fails like an unreachable KMS while `down` is set. */
export function flakyProvider(inner: KeyProvider): { provider: KeyProvider; setDown(down: boolean): void } {
  let down = false;
  const outage = (id: string) =>
    Promise.reject(new KeyProviderError('unavailable', id, 'connect ECONNREFUSED'));
  return {
    provider: {
      name: 'flaky',
      currentKeyId: () => inner.currentKeyId(),
      keyIds: () => inner.keyIds(),
      generateDataKey: (id, ctx) => (down ? outage(id) : inner.generateDataKey(id, ctx)),
      unwrapDataKey: (id, w, ctx) => (down ? outage(id) : inner.unwrapDataKey(id, w, ctx)),
    },
    setDown: (d) => {
      down = d;
    },
  };
}

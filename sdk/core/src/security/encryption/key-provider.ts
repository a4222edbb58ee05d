/**
 * Where data keys (DEKs) come from. A KeyProvider owns key-encryption keys (KEKs): it wraps fresh DEKs under its
 * newest key and unwraps DEKs wrapped under any key still in its ring. The cache never sees a KEK.
 *
 * Providers: `localKeyRing()` (keys from a file or an environment variable, in the core) and
 * `awsKmsKeyProvider()` (omnicache/aws-kms). Google Cloud KMS fits the same shape: `generateDataKey` draws
 * 32 random bytes and calls `encrypt({ name: cryptoKeyName, plaintext, additionalAuthenticatedData })`,
 * `unwrapDataKey` calls `decrypt({ name, ciphertext, additionalAuthenticatedData })` (Cloud KMS picks the key
 * version from the ciphertext, so one crypto key name covers its rotated versions); the AAD is
 * `keyContextBytes(context)`; `NOT_FOUND`/`PERMISSION_DENIED`/`INVALID_ARGUMENT` map to `refused`,
 * `UNAVAILABLE`/`DEADLINE_EXCEEDED`/`RESOURCE_EXHAUSTED` to `unavailable`. See docs/security.md.
 */
export interface KeyContext {
  /** Cache name. */
  cache: string;
  /** Namespace path ('' at the root): every namespace has data keys of its own. */
  namespace: string;
}

export interface DataKey {
  /** The KEK the DEK is wrapped under (written into every value's envelope). */
  keyId: string;
  /** The 32-byte DEK. Kept in memory only (bounded cache); never stored or logged. */
  plaintext: Uint8Array;
  /** The DEK wrapped by the KEK; stored with every value so any instance holding the KEK can unwrap it. */
  wrapped: Uint8Array;
}

export interface KeyProvider {
  /** Short provider name for messages and the security scan ('local', 'aws-kms', ...). */
  readonly name: string;
  /** The key new data keys are wrapped under: the newest key of the ring. */
  currentKeyId(): string;
  /** Every key id reads accept, newest first. A value naming another id fails with reason `unknown-key`. */
  keyIds(): readonly string[];
  /** A fresh 32-byte DEK and its wrapped form, bound to `context` (KMS encryption context / AAD). */
  generateDataKey(keyId: string, context: KeyContext): Promise<DataKey>;
  /** The DEK inside `wrapped`; throws KeyProviderError when refused, unknown or unreachable. */
  unwrapDataKey(keyId: string, wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array>;
  /** When a key was created (epoch ms), when the provider knows: the key-age metric and the scan use it. */
  keyCreatedAt?(keyId: string): number | undefined;
  /** Releases clients (AWS SDK sockets). */
  close?(): void | Promise<void>;
}

/** The bytes a provider binds a wrapped DEK to (AAD for local wrapping and Cloud KMS). */
export function keyContextBytes(context: KeyContext): Buffer {
  return Buffer.from(`omnicache-dek\u0000${context.cache}\u0000${context.namespace}`, 'utf8');
}

/** The KMS encryption context (AWS) for a key context. */
export function kmsEncryptionContext(context: KeyContext): Record<string, string> {
  return {
    'omnicache:purpose': 'dek',
    'omnicache:cache': context.cache,
    'omnicache:namespace': context.namespace,
  };
}

import { ConfigError, DecodeError, OmniCacheError } from '../../errors.js';

/**
 * Why an encrypted value could not be opened (or sealed). Stable values, used as the `reason` metric attribute:
 * - `malformed`: the encrypted header is truncated or not in omnicache's format (damaged or foreign bytes).
 * - `unencrypted`: the cache encrypts, but the stored value is plaintext (written by an instance without keys).
 * - `unknown-key`: the value names a key id that is not in this instance's key ring.
 * - `commitment`: the key commitment does not match: the value was made under another key, or altered.
 * - `tampered`: authentication failed (ciphertext, header, cache, namespace or key differ from what was sealed).
 * - `kms-refused`: the key provider refused to unwrap the data key (wrong context, disabled key, no permission).
 * - `kms-unavailable`: the key provider could not be reached and no cached data key could serve the call.
 */
export type EncryptionFailureReason =
  | 'malformed'
  | 'unencrypted'
  | 'unknown-key'
  | 'commitment'
  | 'tampered'
  | 'kms-refused'
  | 'kms-unavailable';

export const ENCRYPTION_FAILURE_REASONS: readonly EncryptionFailureReason[] = [
  'malformed',
  'unencrypted',
  'unknown-key',
  'commitment',
  'tampered',
  'kms-refused',
  'kms-unavailable',
];

/**
 * An encrypted value could not be opened or a value could not be sealed. Reads treat it as a miss (and remove
 * the entry unless the key provider was merely unreachable); it reaches listeners as the `error` of a
 * `decode-error` event (reads) or an `error` event (writes). Carries what an audit record needs, never the value.
 */
export class EncryptionError extends DecodeError {
  readonly reason: EncryptionFailureReason;
  readonly operation: 'encrypt' | 'decrypt';
  /** The key id named by the value (decrypt) or used for it (encrypt), when known. */
  readonly keyId: string | undefined;
  constructor(
    operation: 'encrypt' | 'decrypt',
    reason: EncryptionFailureReason,
    message: string,
    options?: { cause?: unknown; keyId?: string | undefined },
  ) {
    super(message, options);
    this.reason = reason;
    this.operation = operation;
    this.keyId = options?.keyId;
  }

  /** Whether the stored entry should be removed: everything except a transient key-provider outage. */
  get removesEntry(): boolean {
    return this.reason !== 'kms-unavailable';
  }
}

/**
 * A key provider could not wrap or unwrap a data key. `kind` tells the cache what to do:
 * `refused` (definitive: wrong context, disabled key, no permission), `unknown-key` (not in the ring),
 * `unavailable` (network, throttling, 5xx: retry later; cached data keys keep serving).
 */
export class KeyProviderError extends OmniCacheError {
  readonly kind: 'refused' | 'unknown-key' | 'unavailable';
  readonly keyId: string;
  constructor(
    kind: 'refused' | 'unknown-key' | 'unavailable',
    keyId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('OMNICACHE_KEY_PROVIDER', message, options);
    this.kind = kind;
    this.keyId = keyId;
  }
}

/** A key (or key file) is unsafe to use: too little entropy, wrong size, readable by every user, a known default. */
export class WeakKeyError extends ConfigError {}

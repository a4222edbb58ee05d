export { type EncryptionOptions, Encryptor, MAX_ENCRYPTIONS_PER_DEK_LIMIT } from './encryptor.js';
export {
  ENCRYPTION_FAILURE_REASONS,
  EncryptionError,
  type EncryptionFailureReason,
  KeyProviderError,
  WeakKeyError,
} from './errors.js';
export {
  type DataKey,
  type KeyContext,
  type KeyProvider,
  keyContextBytes,
  kmsEncryptionContext,
} from './key-provider.js';
export {
  checkKeyStrength,
  DEFAULT_KEYS_ENV,
  type LocalKey,
  LocalKeyRing,
  type LocalKeyRingOptions,
  localKeyRing,
} from './local-key-ring.js';
export { type RotationOptions, type RotationState, rotateKeys } from './rotation.js';
export type { EncryptionOperation, EncryptionStats } from './stats.js';

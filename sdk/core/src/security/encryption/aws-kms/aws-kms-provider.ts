import type { KMSClientConfig, KMSClient as KMSClientType } from '@aws-sdk/client-kms';
import { ConfigError } from '../../../errors.js';
import { KeyProviderError } from '../errors.js';
import { type DataKey, type KeyContext, type KeyProvider, kmsEncryptionContext } from '../key-provider.js';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from './client-kms.js';

export interface AwsKmsKeyProviderOptions {
  /**
   * KMS keys (key id, key ARN or alias ARN), oldest first: the last one wraps new data keys, reads accept all of
   * them. Rotating the key material inside one KMS key (automatic rotation) needs no change here: KMS decrypts
   * with the backing key a ciphertext was made under. To move to another KMS key, append it.
   */
  keyIds: readonly string[];
  /** A configured client; otherwise one is built from `clientConfig` (region, endpoint, credentials). */
  client?: KMSClientType;
  clientConfig?: KMSClientConfig;
  /** Creation time per key id (epoch ms or ISO date), for the key-age metric and the security scan. */
  createdAt?: Readonly<Record<string, number | string>>;
}

/** KMS answers that are definitive for this request: retrying will not help, the value cannot be opened. */
const REFUSALS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
  'ValidationException',
  'InvalidGrantTokenException',
  'UnsupportedOperationException',
]);

function failure(keyId: string, op: string, error: unknown): KeyProviderError {
  const name = (error as { name?: unknown })?.name;
  const msg = error instanceof Error ? error.message : String(error);
  if (typeof name === 'string' && REFUSALS.has(name)) {
    return new KeyProviderError('refused', keyId, `AWS KMS refused ${op} with ${name}: ${msg}`, {
      cause: error,
    });
  }
  return new KeyProviderError(
    'unavailable',
    keyId,
    `AWS KMS ${op} failed (${String(name ?? 'error')}): ${msg}`,
    {
      cause: error,
    },
  );
}

/**
 * Data keys from AWS KMS: GenerateDataKey (AES_256) under the newest key, Decrypt for reads. The encryption
 * context binds every data key to its cache and namespace, so KMS itself refuses to unwrap one elsewhere (and
 * CloudTrail records the cache and namespace of each call).
 */
export class AwsKmsKeyProvider implements KeyProvider {
  readonly name = 'aws-kms';
  readonly client: KMSClientType;
  readonly #ids: readonly string[];
  readonly #created = new Map<string, number>();
  readonly #ownsClient: boolean;

  constructor(options: AwsKmsKeyProviderOptions) {
    if (options.keyIds.length === 0)
      throw new ConfigError('awsKmsKeyProvider needs at least one KMS key id in keyIds');
    for (const id of options.keyIds) {
      if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > 255) {
        throw new ConfigError(`KMS key id "${String(id)}" must be a non-empty string of at most 255 bytes`);
      }
    }
    this.#ids = [...options.keyIds].reverse();
    for (const [id, at] of Object.entries(options.createdAt ?? {})) {
      const t = typeof at === 'number' ? at : Date.parse(at);
      if (!Number.isFinite(t))
        throw new ConfigError(`createdAt for KMS key "${id}" is not a date: ${String(at)}`);
      this.#created.set(id, t);
    }
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? new KMSClient(options.clientConfig ?? {});
  }

  currentKeyId(): string {
    return this.#ids[0]!;
  }

  keyIds(): readonly string[] {
    return this.#ids;
  }

  keyCreatedAt(keyId: string): number | undefined {
    return this.#created.get(keyId);
  }

  async generateDataKey(keyId: string, context: KeyContext): Promise<DataKey> {
    let out: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array };
    try {
      out = await this.client.send(
        new GenerateDataKeyCommand({
          KeyId: keyId,
          KeySpec: 'AES_256',
          EncryptionContext: kmsEncryptionContext(context),
        }),
      );
    } catch (error) {
      throw failure(keyId, 'GenerateDataKey', error);
    }
    if (out.Plaintext === undefined || out.CiphertextBlob === undefined) {
      throw new KeyProviderError('refused', keyId, 'AWS KMS GenerateDataKey returned no key material');
    }
    return { keyId, plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
  }

  async unwrapDataKey(keyId: string, wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    let out: { Plaintext?: Uint8Array };
    try {
      out = await this.client.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: wrapped,
          EncryptionContext: kmsEncryptionContext(context),
        }),
      );
    } catch (error) {
      throw failure(keyId, 'Decrypt', error);
    }
    if (out.Plaintext === undefined)
      throw new KeyProviderError('refused', keyId, 'AWS KMS Decrypt returned no plaintext');
    return out.Plaintext;
  }

  close(): void {
    if (this.#ownsClient) this.client.destroy();
  }
}

export function awsKmsKeyProvider(options: AwsKmsKeyProviderOptions): AwsKmsKeyProvider {
  return new AwsKmsKeyProvider(options);
}

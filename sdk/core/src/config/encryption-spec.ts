import type * as Zod from 'zod';
import type { EncryptionOptions } from '../security/encryption/encryptor.js';
import { zod } from '../vendor/lazy-deps.js';

// Loaded by loadCacheConfig() and the reference doc only (dynamic import): zod loads with it, not with omnicache.
const z = zod();

const dekOptions = {
  dekCacheSize: z.number().int().positive().optional(),
  dekTtlMs: z.number().positive().optional(),
  dekRefreshMs: z.number().positive().optional(),
  maxEncryptionsPerDek: z.number().int().positive().optional(),
  /** Keys older than this are reported by `omnicache security scan` (rotate: add a newer key). Default 90. */
  rotationDays: z.number().positive().optional(),
};

/**
 * Encryption as a configuration file gives it: exactly one key source (a local key ring from a key file or an
 * environment variable, or AWS KMS keys), plus the data key options of createCache({ encryption }).
 */
export const encryptionFileSchema = z.union([
  z
    .object({
      local: z
        .object({
          /** A key file (JSON [{ id, key, createdAt }], chmod 600). */
          keyFile: z.string().min(1).optional(),
          /** An environment variable holding the keys (default OMNICACHE_ENCRYPTION_KEYS). */
          keyEnv: z.string().min(1).optional(),
          /** The key new values are sealed under (default: the last key of the ring). */
          currentKeyId: z.string().min(1).optional(),
        })
        .strict(),
      ...dekOptions,
    })
    .strict(),
  z
    .object({
      awsKms: z
        .object({
          /** KMS key ids / ARNs / alias ARNs, oldest first; the last wraps new data keys. */
          keyIds: z.array(z.string().min(1)).min(1),
          region: z.string().min(1).optional(),
          /** An endpoint other than AWS's own (VPC endpoint, a KMS-compatible server). */
          endpoint: z.string().url().optional(),
          /** Creation time per key id (ISO date), for the key-age metric and the scan. */
          createdAt: z.record(z.string(), z.string()).optional(),
        })
        .strict(),
      ...dekOptions,
    })
    .strict(),
]);

export type EncryptionFileSpec = Zod.output<typeof encryptionFileSchema>;

/** Builds createCache's `encryption` option; AWS KMS loads omnicache/aws-kms (and its peer) only here. */
export async function buildEncryption(spec: EncryptionFileSpec): Promise<EncryptionOptions> {
  const { rotationDays: _rotation, ...rest } = spec;
  const options = {
    ...(rest.dekCacheSize !== undefined && { dekCacheSize: rest.dekCacheSize }),
    ...(rest.dekTtlMs !== undefined && { dekTtlMs: rest.dekTtlMs }),
    ...(rest.dekRefreshMs !== undefined && { dekRefreshMs: rest.dekRefreshMs }),
    ...(rest.maxEncryptionsPerDek !== undefined && { maxEncryptionsPerDek: rest.maxEncryptionsPerDek }),
  };
  if ('local' in spec) {
    const { localKeyRing } = await import('../security/encryption/local-key-ring.js');
    const { keyFile, keyEnv, currentKeyId } = spec.local;
    return {
      provider: localKeyRing({
        ...(keyFile !== undefined ? { file: keyFile } : keyEnv !== undefined ? { env: keyEnv } : {}),
        ...(currentKeyId !== undefined && { currentKeyId }),
      }),
      ...options,
    };
  }
  const { awsKmsKeyProvider } = await import('../aws-kms.js');
  const { keyIds, region, endpoint, createdAt } = spec.awsKms;
  return {
    provider: awsKmsKeyProvider({
      keyIds,
      clientConfig: { ...(region !== undefined && { region }), ...(endpoint !== undefined && { endpoint }) },
      ...(createdAt !== undefined && { createdAt }),
    }),
    ...options,
  };
}

import { ConfigError } from '../errors.js';
import type { AuditLog } from './audit/audit-log.js';
import type { EncryptionOptions } from './encryption/encryptor.js';
import { PiiRedactor } from './pii/redactor.js';
import { ValuePolicy, type ValuePolicyConfig } from './value-policy.js';

/** The `security` block of a cache config (validated by the config schema). */
export interface CacheSecurityConfig {
  /** Audit log for erasures, PII rejections and other security-relevant operations. */
  audit?: AuditLog;
  /** Redactor for values (value policy 'redact') and messages; default: every type but phone, random key per process. */
  redactor?: PiiRedactor;
  /** What set() does with values that contain PII, per namespace. */
  values?: ValuePolicyConfig;
}

/** The security state one cache (all its views) shares. */
export class CacheSecurity {
  readonly audit: AuditLog | undefined;
  readonly redactor: PiiRedactor;
  /** undefined when no value policy is configured: the write path then does nothing extra. */
  readonly values: ValuePolicy | undefined;

  constructor(config: CacheSecurityConfig | undefined, encryption?: EncryptionOptions) {
    this.audit = config?.audit;
    this.redactor = config?.redactor ?? new PiiRedactor();
    this.values =
      config?.values === undefined ? undefined : new ValuePolicy(config.values, this.redactor, this.audit);
    const encrypts = this.values?.encrypts === true;
    if (encrypts && encryption === undefined) {
      throw new ConfigError(
        "value policy 'encrypt' needs value encryption: add encryption: { provider: localKeyRing(...), scope: 'policy' } (or awsKmsKeyProvider from omnicache/aws-kms)",
      );
    }
    if (encryption?.scope === 'policy' && !encrypts) {
      throw new ConfigError(
        "encryption.scope 'policy' seals the namespaces whose value policy is 'encrypt', and none is: set security.values.namespaces.<ns> to 'encrypt', or drop scope to encrypt every value",
      );
    }
  }

  /**
   * With encryption scope 'policy': whether values of a namespace are sealed (its value policy is 'encrypt').
   * undefined when every value is sealed (scope 'all') or nothing is (no encryption).
   */
  sealsNamespace(encryption: EncryptionOptions | undefined): ((namespace: string) => boolean) | undefined {
    const values = this.values;
    if (encryption?.scope !== 'policy' || values === undefined) return undefined;
    return (namespace) => values.modeFor(namespace) === 'encrypt';
  }

  /** Appends a `clear` record (namespace '' = the whole cache) when an audit log is configured. */
  async auditClear(cache: string, namespace: string, removed: number): Promise<void> {
    if (this.audit === undefined) return;
    await this.audit.append({
      action: 'clear',
      target: namespace === '' ? cache : `${cache}:${namespace}`,
      outcome: 'success',
      details: { cache, namespace, removed },
    });
  }
}

import { ConfigError, PiiRejectedError } from '../errors.js';
import type { AuditLog } from './audit/audit-log.js';
import type { PiiRedactor } from './pii/redactor.js';
import type { PiiType } from './pii/types.js';

/**
 * What set() does with a value that contains PII, per namespace:
 * - allow: store it as is (the default);
 * - redact: store a copy with every PII string replaced by its keyed-hash marker;
 * - encrypt: seal it with the cache's envelope encryption (`encryption: { provider }`) before it reaches a remote
 *   tier. Every value of the namespace is sealed, not only those the detectors flag: sealing costs far less than
 *   scanning, a missed detection cannot leak, and reads there refuse a value stored in the clear (a downgrade by
 *   whoever can write to the tier). L1 holds the value as given, like every encrypted value;
 * - reject: refuse it (PiiRejectedError, and a `pii.rejected` audit record when an audit log is configured).
 */
export const VALUE_POLICY_MODES = ['allow', 'redact', 'encrypt', 'reject'] as const;
export type ValuePolicyMode = (typeof VALUE_POLICY_MODES)[number];

export interface ValuePolicyConfig {
  /** Mode for namespaces without their own (default 'allow'). */
  default?: ValuePolicyMode;
  /** By namespace path ('' = the root, 'users', 'users:profiles'); a namespace inherits its nearest ancestor's mode. */
  namespaces?: Readonly<Record<string, ValuePolicyMode>>;
}

/** Resolves modes per namespace (cached: one entry per namespace path ever written to, which the application names). */
export class ValuePolicy {
  readonly #default: ValuePolicyMode;
  readonly #namespaces: ReadonlyMap<string, ValuePolicyMode>;
  readonly #resolved = new Map<string, ValuePolicyMode>();
  readonly #redactor: PiiRedactor;
  readonly #audit: AuditLog | undefined;

  constructor(config: ValuePolicyConfig, redactor: PiiRedactor, audit: AuditLog | undefined) {
    for (const m of [config.default, ...Object.values(config.namespaces ?? {})]) {
      if (m !== undefined && !(VALUE_POLICY_MODES as readonly string[]).includes(m)) {
        throw new ConfigError(
          `unknown value policy "${String(m)}"; use one of ${VALUE_POLICY_MODES.join(', ')}`,
        );
      }
    }
    this.#default = config.default ?? 'allow';
    this.#namespaces = new Map(Object.entries(config.namespaces ?? {}));
    this.#redactor = redactor;
    this.#audit = audit;
  }

  /** Whether some namespace (or the default) is 'encrypt'. */
  get encrypts(): boolean {
    return this.#default === 'encrypt' || [...this.#namespaces.values()].includes('encrypt');
  }

  modeFor(namespace: string): ValuePolicyMode {
    const hit = this.#resolved.get(namespace);
    if (hit !== undefined) return hit;
    let path = namespace;
    let mode: ValuePolicyMode | undefined;
    for (;;) {
      mode = this.#namespaces.get(path);
      if (mode !== undefined || path === '') break;
      const cut = path.lastIndexOf(':');
      path = cut < 0 ? '' : path.slice(0, cut);
    }
    const resolved = mode ?? this.#default;
    this.#resolved.set(namespace, resolved);
    return resolved;
  }

  /** The value to store (the same object under allow, a redacted copy under redact); throws under reject. */
  apply(namespace: string, key: string, value: unknown): unknown {
    const mode = this.modeFor(namespace);
    // encrypt: the codec seals the value (see sealsNamespace in cache-security.ts); L1 keeps it as given.
    if (mode === 'allow' || mode === 'encrypt') return value;
    if (mode === 'redact') return this.#redactor.redactValue(value);
    const types = findTypes(this.#redactor, value);
    if (types.size === 0) return value;
    const found = [...types].sort();
    const audit = this.#audit;
    if (audit !== undefined) {
      // Queued now (sequence number taken synchronously); a sink failure surfaces on the log's next append.
      void audit
        .append({
          action: 'pii.rejected',
          target: namespace === '' ? key : `${namespace}:${key}`,
          outcome: 'denied',
          details: { types: found },
        })
        .catch(() => undefined);
    }
    throw new PiiRejectedError(
      `value for key "${this.#redactor.redact(key)}" in namespace "${namespace}" contains PII (${found.join(', ')}) and the namespace's value policy is 'reject'; store an id instead, or set the policy to 'redact'`,
      found,
    );
  }
}

function findTypes(r: PiiRedactor, value: unknown, out = new Set<PiiType>(), depth = 0): Set<PiiType> {
  if (typeof value === 'string') {
    for (const f of r.scanner.scan(value)) out.add(f.type);
  } else if (typeof value === 'object' && value !== null && depth < 64) {
    const items: unknown[] =
      value instanceof Map
        ? [...value.keys(), ...value.values()]
        : value instanceof Set
          ? [...value]
          : Array.isArray(value)
            ? value
            : ArrayBuffer.isView(value) || value instanceof Date
              ? []
              : [...Object.keys(value), ...Object.values(value)];
    for (const v of items) findTypes(r, v, out, depth + 1);
  }
  return out;
}

import { ConfigError, OmniCacheError } from '../../errors.js';
import type { Principal } from './principal.js';

/**
 * What a cache call does: read (get, has, getMany, getOrSet), write (set, setMany, running a getOrSet loader),
 * delete (delete, deleteMany, deleteByTag), clear. `admin` is accepted in rules for administrative APIs; no cache
 * method requires it yet (close() is lifecycle and stays unchecked; key rotation runs from the CLI with the keys).
 */
export type AccessOperation = 'read' | 'write' | 'delete' | 'clear' | 'admin';
export const ACCESS_OPERATIONS: readonly AccessOperation[] = ['read', 'write', 'delete', 'clear', 'admin'];

export interface AccessRule {
  /** Principal ids the rule applies to ('*': anyone, including no principal). */
  principals?: readonly string[];
  /** Roles the rule applies to (a principal with any of them). */
  roles?: readonly string[];
  /**
   * Namespace paths: '' is the root, 'tenant-1' one namespace, a trailing '*' a prefix ('tenant-*', 'a:*'),
   * '*' every namespace.
   */
  namespaces: readonly string[];
  operations: readonly AccessOperation[] | '*';
  /** Default 'allow'. A matching deny wins over any allow. */
  effect?: 'allow' | 'deny';
}

export interface AccessPolicyOptions {
  rules: readonly AccessRule[];
}

/** A cache call was refused by the access policy (default deny once a policy is set). */
export class AccessDeniedError extends OmniCacheError {
  readonly principal: string | undefined;
  readonly namespace: string;
  readonly operation: AccessOperation;
  constructor(principal: Principal | undefined, namespace: string, operation: AccessOperation) {
    super(
      'OMNICACHE_ACCESS_DENIED',
      `${principal === undefined ? 'a caller with no principal' : `principal "${principal.id}"`} may not ${operation} in namespace "${namespace === '' ? '(root)' : namespace}"; run it with runAs(principal, fn) for a principal a rule allows, or add a rule to the access policy`,
    );
    this.principal = principal?.id;
    this.namespace = namespace;
    this.operation = operation;
  }
}

interface CompiledRule {
  anyone: boolean;
  principals: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
  ops: number;
  deny: boolean;
}

const bit = (op: AccessOperation) => 1 << ACCESS_OPERATIONS.indexOf(op);

/** Rules of principal / role x namespace x operation. Evaluated without allocating. */
export class AccessPolicy {
  readonly #rules: readonly CompiledRule[];

  constructor(options: AccessPolicyOptions) {
    this.#rules = options.rules.map((r, i) => {
      const where = `access rule ${i}`;
      if (!Array.isArray(r.namespaces) || r.namespaces.length === 0)
        throw new ConfigError(`${where}: namespaces must list at least one namespace ('*' for all)`);
      if ((r.principals?.length ?? 0) + (r.roles?.length ?? 0) === 0)
        throw new ConfigError(`${where}: name principals and/or roles ('*' in principals for anyone)`);
      const ops = r.operations === '*' ? [...ACCESS_OPERATIONS] : r.operations;
      for (const op of ops) {
        if (!ACCESS_OPERATIONS.includes(op))
          throw new ConfigError(`${where}: unknown operation "${op}"; use ${ACCESS_OPERATIONS.join(', ')}`);
      }
      return {
        anyone: r.principals?.includes('*') ?? false,
        principals: new Set(r.principals ?? []),
        roles: new Set(r.roles ?? []),
        exact: new Set(r.namespaces.filter((n) => !n.endsWith('*'))),
        prefixes: r.namespaces.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1)),
        ops: ops.reduce((m, op) => m | bit(op), 0),
        deny: r.effect === 'deny',
      };
    });
  }

  /** Whether `principal` may do `operation` in `namespace`: a matching deny wins; no matching allow denies. */
  allows(principal: Principal | undefined, namespace: string, operation: AccessOperation): boolean {
    const b = bit(operation);
    let allowed = false;
    for (let i = 0; i < this.#rules.length; i++) {
      const r = this.#rules[i]!;
      if ((r.ops & b) === 0 || !matchesNamespace(r, namespace) || !matchesPrincipal(r, principal)) continue;
      if (r.deny) return false;
      allowed = true;
    }
    return allowed;
  }
}

function matchesNamespace(r: CompiledRule, namespace: string): boolean {
  if (r.exact.has(namespace)) return true;
  for (let i = 0; i < r.prefixes.length; i++) if (namespace.startsWith(r.prefixes[i]!)) return true;
  return false;
}

function matchesPrincipal(r: CompiledRule, p: Principal | undefined): boolean {
  if (r.anyone) return true;
  if (p === undefined) return false;
  if (r.principals.has(p.id)) return true;
  const roles = p.roles;
  if (roles !== undefined) for (let i = 0; i < roles.length; i++) if (r.roles.has(roles[i]!)) return true;
  return false;
}

export function accessPolicy(options: AccessPolicyOptions): AccessPolicy {
  return new AccessPolicy(options);
}

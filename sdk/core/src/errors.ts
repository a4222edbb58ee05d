import type { ErasureResult } from './cache/erasure.js';

/**
 * Typed errors. Every message says what happened and what the user can do about it.
 * `code` is stable and safe to match on; messages may change.
 */
export class OmniCacheError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is malformed (bad capacity, unknown policy, invalid URL, ...). */
export class ConfigError extends OmniCacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_CONFIG', message, options);
  }
}

/**
 * A subpath entry point (omnicache/redis, omnicache/otel, ...) was imported without the vendor package it plugs in.
 * The vendor is an optional peer dependency of omnicache: install it next to omnicache.
 */
export class MissingPeerDependencyError extends OmniCacheError {
  /** The packages to install (one or more). */
  readonly packages: readonly string[];
  readonly entryPoint: string;
  constructor(packages: readonly string[], entryPoint: string, options?: { cause?: unknown }) {
    const names = packages.map((p) => `"${p}"`).join(', ');
    super(
      'OMNICACHE_MISSING_PEER',
      `${entryPoint} needs ${packages.length > 1 ? 'the packages' : 'the package'} ${names}, not installed: run \`npm install ${packages.join(' ')}\` (optional peer ${packages.length > 1 ? 'dependencies' : 'dependency'} of omnicache)`,
      options,
    );
    this.packages = packages;
    this.entryPoint = entryPoint;
  }
}

/** A key is empty, too long, or not a string. */
export class InvalidKeyError extends OmniCacheError {
  constructor(message: string) {
    super('OMNICACHE_INVALID_KEY', message);
  }
}

/** A value cannot be stored: too large or not serializable. */
export class InvalidValueError extends OmniCacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_INVALID_VALUE', message, options);
  }
}

/** Bytes read from a tier are not a valid envelope (foreign, truncated, tampered or from a newer version). */
export class DecodeError extends OmniCacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_DECODE', message, options);
  }
}

/** A remote tier failed or timed out. The cache normally absorbs this (circuit breaker) and reports it as an event. */
export class TierError extends OmniCacheError {
  readonly tier: string;
  constructor(tier: string, message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_TIER', message, options);
    this.tier = tier;
  }
}

/** An operation exceeded its time budget (remote tier call or loader hard timeout). */
export class TimeoutError extends OmniCacheError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(
      'OMNICACHE_TIMEOUT',
      `${what} did not finish within ${timeoutMs} ms; raise the timeout or check the dependency`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The loader failed and no stale value was available to serve in its place. */
export class LoaderError extends OmniCacheError {
  readonly key: string;
  constructor(key: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(
      'OMNICACHE_LOADER',
      `loader for key "${key}" failed and no stale value could be served: ${reason}`,
      options,
    );
    this.key = key;
  }
}

/** The audit log could not be written or read (disk error, damaged file). The message says what to do. */
export class AuditLogError extends OmniCacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_AUDIT', message, options);
  }
}

/** A value was refused by the namespace's value policy (`reject`: it contains PII). */
export class PiiRejectedError extends OmniCacheError {
  /** The PII types found (never the values). */
  readonly types: readonly string[];
  constructor(message: string, types: readonly string[]) {
    super('OMNICACHE_PII_REJECTED', message);
    this.types = types;
  }
}

/** eraseSubject could not reach every tier; `result` has the counts of the tiers it did reach. */
export class ErasureIncompleteError extends OmniCacheError {
  readonly result: ErasureResult;
  readonly failedTiers: readonly string[];
  constructor(message: string, result: ErasureResult, failedTiers: readonly string[]) {
    super('OMNICACHE_ERASURE_INCOMPLETE', message);
    this.result = result;
    this.failedTiers = failedTiers;
  }
}

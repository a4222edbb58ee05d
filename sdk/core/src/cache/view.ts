import type { StaleReason, TierName } from '../events.js';
import type { AccessOperation } from '../security/access/access-policy.js';
import { authorize } from '../security/access/authorize.js';
import type { Principal } from '../security/access/principal.js';
import { qualifyTags } from '../security/subject.js';
import type { L1Entry } from '../tiers/memory/entry.js';
import type { CacheCore } from './core.js';
import { dependencyTags } from './invalidation.js';
import { type Resolved, resolveOptions } from './options.js';
import { checkText, type Scope } from './scope.js';
import type { GetOrSetOptions } from './types.js';

/** A key in all its spellings. */
export interface Where {
  key: string;
  l1Key: string;
  remoteKey: string;
  /** Which remote tier or the loader answered this request (for the prefetch access stream). */
  served?: 'l2' | 'l3' | 'loader';
}

/** A value found somewhere, with its freshness. */
export interface Found {
  value: unknown;
  freshUntil: number;
  staleUntil: number;
  tier: TierName;
}

export function fromEntry(e: L1Entry): Found {
  return { value: e.value, freshUntil: e.freshUntil, staleUntil: e.staleUntil, tier: 'l1' };
}

export function newest(a: Found | undefined, b: Found | undefined): Found | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.freshUntil > a.freshUntil ? b : a;
}

/**
 * One cache view (the root or a namespace) as the read, write and load flows see it: the shared core,
 * the view's scope, its resolved defaults, and the event helpers every flow uses.
 */
export class View {
  readonly core: CacheCore;
  readonly scope: Scope;
  /** The principal this view acts as (cache.as(principal)); else the async context's (runAs). */
  readonly principal: Principal | undefined;
  #defaults: Resolved | undefined;

  constructor(core: CacheCore, scope: Scope, principal?: Principal) {
    this.core = core;
    this.scope = scope;
    this.principal = principal;
  }

  /** Throws AccessDeniedError (and emits access-denied) unless the access policy allows `operation` here. */
  authorize(operation: AccessOperation): void {
    authorize(this.core, this.scope.path, operation, this.principal);
  }

  where(key: string, l1Key: string): Where {
    return { key, l1Key, remoteKey: this.scope.keyPrefix + checkText('key', key) };
  }

  /** Tags as the tiers and the version log know them (prefixed with the view's key prefix). */
  qualify(tags: readonly string[] | undefined): readonly string[] | undefined {
    // User tags get the namespace prefix, a subject tag its cache-wide form (security/subject.ts).
    return qualifyTags(tags, this.scope.keyPrefix, this.core.name);
  }

  resolve(options: GetOrSetOptions | undefined): Resolved {
    if (options === undefined) {
      // Calls without options (the common case) share one resolved object; nothing mutates it.
      this.#defaults ??= resolveOptions(this.core.defaults, undefined);
      return this.#defaults;
    }
    const o = resolveOptions(this.core.defaults, options);
    // `dependsOn` edges are kept as tags, so every tier's tag index knows them (cache/invalidation.ts).
    if (options.dependsOn !== undefined) {
      const withDeps = dependencyTags(o.tags, options.dependsOn, this.core.maxKeyLength);
      o.tags = withDeps !== undefined && withDeps.length > 0 ? withDeps : undefined;
    }
    return o;
  }

  serveStale(stale: Found, where: Where, reason: StaleReason): unknown {
    const c = this.core.counters;
    if (reason === 'swr') c.staleSwr++;
    else if (reason === 'grace') c.staleGrace++;
    else if (reason === 'soft-timeout') c.staleSoftTimeout++;
    else if (reason === 'backoff') c.staleBackoff++;
    else c.staleAllowed++;
    this.countStaleHit(stale.tier);
    this.core.tracing?.result('stale');
    const ev = this.core.events;
    if (ev.wants('stale')) {
      ev.emit({ type: 'stale', cache: this.core.name, tier: stale.tier, key: where.remoteKey, reason });
    }
    return stale.value;
  }

  countStaleHit(tier: TierName): void {
    const core = this.core;
    if (tier === 'l1') core.l1Counters.staleHits++;
    else for (const r of core.remotes) if (r.name === tier) r.counters.staleHits++;
  }

  emitHit(tier: TierName, key: string): void {
    const ev = this.core.events;
    if (ev.wants('hit')) ev.emit({ type: 'hit', cache: this.core.name, tier, key });
  }

  emitMiss(tier: TierName, key: string): void {
    const ev = this.core.events;
    if (ev.wants('miss')) ev.emit({ type: 'miss', cache: this.core.name, tier, key });
  }

  emitMove(type: 'promote' | 'demote', from: TierName, to: TierName, key: string): void {
    const ev = this.core.events;
    if (ev.wants(type)) ev.emit({ type, cache: this.core.name, from, to, key });
  }

  emitInvalidate(scope: 'key' | 'tag' | 'prefix', target: string, removed: number): void {
    const ev = this.core.events;
    if (ev.wants('invalidate'))
      ev.emit({ type: 'invalidate', cache: this.core.name, scope, target, removed });
  }

  emitLoad(where: Where, outcome: 'success' | 'error' | 'timeout', started: number, error: unknown): void {
    const ev = this.core.events;
    if (!ev.wants('load')) return;
    const durationMs = performance.now() - started;
    ev.emit(
      error === undefined
        ? { type: 'load', cache: this.core.name, key: where.remoteKey, outcome, durationMs }
        : { type: 'load', cache: this.core.name, key: where.remoteKey, outcome, durationMs, error },
    );
  }
}

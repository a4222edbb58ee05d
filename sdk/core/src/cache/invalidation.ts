/**
 * How a cache uses invalidation/: the per-cache engine (shared by every namespace view), `invalidate()` with its
 * dependency closure, and `dependsOn` edges. cache.ts calls these from a few small hooks; everything else about
 * invalidation lives here and in invalidation/.
 */
import { InvalidKeyError } from '../errors.js';
import { dependencyClosure } from '../invalidation/dependency-graph.js';
import { CacheInvalidation, l1PrefixForTarget } from '../invalidation/invalidator.js';
import type { InvalidationCause } from '../invalidation/messages.js';
import { type BusOption, busOptionSchema } from '../invalidation/options.js';
import {
  DEPENDENCY_TAG_SEGMENT,
  dependencyTagOf,
  l1KeyOf,
  parseRemoteKey,
} from '../invalidation/qualified-names.js';
import type { CacheCore } from './core.js';
import { checkText, type Scope } from './scope.js';
import { removeRemoteKeys } from './writes.js';

/** What `cache.invalidate()` takes: a key, every key with a tag, or every key starting with a prefix (in this view). */
export type InvalidationTarget = string | { tag: string } | { prefix: string };

export interface InvalidationResult {
  /** The keys invalidated (the key itself and every dependent, transitively), as given to set() in this view. */
  keys: string[];
  /** Entries removed: the largest count any tier removed (L1 counted per key). */
  removed: number;
  /** The dependency closure hit maxCascade: some dependents were not invalidated. */
  truncated: boolean;
}

const engines = new WeakMap<CacheCore, CacheInvalidation>();

/** Cache method for invalidations that entered through the webhook (counted with source `webhook`). */
export const INVALIDATE_FROM: unique symbol = Symbol('omnicache.invalidateFrom');

/** Starts the bus for a cache (createCache calls this when the config has `bus`). */
export function attachBus(core: CacheCore, option: BusOption | undefined): CacheInvalidation | undefined {
  if (option === undefined) return undefined;
  const engine = new CacheInvalidation(core, busOptionSchema().parse(option));
  engines.set(core, engine);
  return engine;
}

/** The cache's engine; a local-only one (no bus) is made on first use of invalidate() or dependsOn. */
export function invalidationOf(core: CacheCore): CacheInvalidation {
  let engine = engines.get(core);
  if (engine === undefined) {
    engine = new CacheInvalidation(core, busOptionSchema().parse({}));
    engines.set(core, engine);
  }
  return engine;
}

export function existingInvalidation(core: CacheCore): CacheInvalidation | undefined {
  return engines.get(core);
}

/** Validates `dependsOn` and returns the tags that record it (qualified by the cache like every tag). */
export function dependencyTags(
  tags: readonly string[] | undefined,
  dependsOn: readonly string[] | undefined,
  maxKeyLength: number,
): readonly string[] | undefined {
  if (dependsOn === undefined) return tags;
  if (!Array.isArray(dependsOn))
    throw new InvalidKeyError('dependsOn must be an array of keys (in the same namespace)');
  if (dependsOn.length === 0) return tags;
  for (const d of dependsOn) {
    if (typeof d !== 'string' || d.length === 0 || d.length > maxKeyLength || d.charCodeAt(0) === 0) {
      throw new InvalidKeyError(
        `dependsOn entries must be valid keys (non-empty strings up to ${maxKeyLength} characters), got ${typeof d === 'string' ? JSON.stringify(d.slice(0, 40)) : typeof d}`,
      );
    }
  }
  return [...(tags ?? []), ...dependsOn.map((d) => DEPENDENCY_TAG_SEGMENT + checkText('key', d))];
}

/** After set()/setMany(): remembers dependency edges and tells other instances to drop their copies. */
export function afterWrite(
  core: CacheCore,
  scope: Scope,
  writes: readonly { key: string; dependsOn?: readonly string[] | undefined }[],
): void {
  let engine = engines.get(core);
  for (const w of writes) {
    if (w.dependsOn === undefined || w.dependsOn.length === 0) continue;
    engine ??= invalidationOf(core);
    for (const d of w.dependsOn) engine.graph.add(scope.keyPrefix + w.key, scope.keyPrefix + d);
  }
  engine?.wrote(writes.map((w) => scope.keyPrefix + w.key));
}

/** After delete/deleteMany/deleteByTag/clear: publish (these do not cascade; invalidate() does). */
export function afterRemove(
  core: CacheCore,
  op: 'keys' | 'tag' | 'prefix',
  targets: readonly string[],
  cause: InvalidationCause,
): void {
  const engine = engines.get(core);
  if (engine === undefined) return;
  engine.publish(op, targets, cause, 'local');
  if (op === 'keys') {
    const keys: string[] = [];
    for (const t of targets) {
      const p = parseRemoteKey(core.name, t);
      if (p !== undefined) keys.push(l1KeyOf(p));
    }
    engine.bumpVersion({ keys });
  } else if (op === 'tag') {
    for (const tag of targets) engine.bumpVersion({ tag });
  } else {
    for (const t of targets) {
      const prefix = l1PrefixForTarget(core.name, t);
      if (prefix !== undefined) engine.bumpVersion({ prefix });
    }
  }
}

/**
 * invalidate(): a key (with its dependents, transitively) or a tag (the tagged keys and their dependents) or
 * a key prefix, removed from every tier here and published to the other instances.
 */
export async function invalidateTarget(
  core: CacheCore,
  scope: Scope,
  target: InvalidationTarget,
  source: 'local' | 'webhook' = 'local',
): Promise<InvalidationResult> {
  const engine = invalidationOf(core);
  if (typeof target === 'string') {
    checkTargetString(target, 'key', core.maxKeyLength);
    return invalidateKeys(core, engine, scope, [scope.keyPrefix + target], [], source, 'invalidate');
  }
  if (typeof target !== 'object' || target === null) throw badTarget(target);
  if ('tag' in target && typeof target.tag === 'string') {
    checkTargetString(target.tag, 'tag', core.maxKeyLength);
    const qtag = scope.keyPrefix + target.tag;
    const tagged = await taggedKeys(core, qtag);
    // Per-key versions: nothing tagged that was read or loading before this lands after it.
    const removed = await core.versions.during('tag', qtag, () =>
      removeFromRemotes(core, core.l1.deleteByTag(qtag), 'deleteByTag', qtag),
    );
    engine.publish('tag', [qtag], 'tag', source);
    engine.bumpVersion({ tag: qtag });
    emitInvalidate(core, 'tag', qtag, removed, source);
    const cascade = await invalidateKeys(core, engine, scope, tagged, tagged, source, 'dependency');
    return { keys: cascade.keys, removed: removed + cascade.removed, truncated: cascade.truncated };
  }
  if ('prefix' in target && typeof target.prefix === 'string') {
    checkTargetString(target.prefix, 'prefix', core.maxKeyLength);
    const remotePrefix = scope.keyPrefix + target.prefix;
    const l1Prefix = scope.l1Prefix + target.prefix;
    const removed = await core.versions.during('prefix', remotePrefix, () =>
      removeFromRemotes(core, core.l1.clear(l1Prefix), 'clear', remotePrefix),
    );
    engine.publish('prefix', [remotePrefix], 'invalidate', source);
    engine.bumpVersion({ prefix: l1Prefix });
    emitInvalidate(core, 'prefix', remotePrefix, removed, source);
    return { keys: [], removed, truncated: false };
  }
  throw badTarget(target);
}

/**
 * Removes `roots` and their dependents (minus `alreadyRemoved`) from every tier and publishes them. The roots go
 * first, without waiting for the dependency lookup, so the other instances hear of them one round trip sooner.
 */
async function invalidateKeys(
  core: CacheCore,
  engine: CacheInvalidation,
  scope: Scope,
  roots: readonly string[],
  alreadyRemoved: readonly string[],
  source: 'local' | 'webhook',
  cause: InvalidationCause,
): Promise<InvalidationResult> {
  const skip = new Set(alreadyRemoved);
  const [removedRoots, closure] = await Promise.all([
    removeAndPublish(
      core,
      engine,
      roots.filter((k) => !skip.has(k)),
      cause,
      source,
    ),
    dependencyClosure(roots, (keys) => dependentsOf(core, engine, keys), engine.options.maxCascade),
  ]);
  // Every key of the closure is gone, with its dependents: its edges are not needed any more.
  for (const k of closure.keys) engine.graph.drop(k);
  for (const r of roots) skip.add(r);
  const dependents = closure.keys.filter((k) => !skip.has(k));
  let removed = removedRoots;
  if (dependents.length > 0) {
    removed += await removeAndPublish(core, engine, dependents, 'dependency', source);
    engine.count('dependency', source, 1);
  }
  const keys: string[] = [];
  for (const k of closure.keys) if (k.startsWith(scope.keyPrefix)) keys.push(k.slice(scope.keyPrefix.length));
  return { keys, removed, truncated: closure.truncated };
}

/** deleteByTag / clear on every remote tier; returns the largest count removed (L1's included). */
async function removeFromRemotes(
  core: CacheCore,
  l1Removed: number,
  op: 'deleteByTag' | 'clear',
  arg: string,
): Promise<number> {
  const counts = await Promise.all(core.remotes.map((r) => r.call(op, (t) => t[op](arg), 0)));
  return Math.max(l1Removed, ...counts);
}

/** Deletes remote keys from L1 and every remote tier, then publishes them; returns the largest count removed. */
async function removeAndPublish(
  core: CacheCore,
  engine: CacheInvalidation,
  remoteKeys: readonly string[],
  cause: InvalidationCause,
  source: 'local' | 'webhook',
): Promise<number> {
  if (remoteKeys.length === 0) return 0;
  const l1Keys: string[] = [];
  const inL1 = remoteKeys.map((k) => {
    const p = parseRemoteKey(core.name, k);
    if (p === undefined) return false;
    const l1Key = l1KeyOf(p);
    l1Keys.push(l1Key);
    core.versions.bumpKey(k); // per-key versions: an in-flight read or load of it does not land after this
    core.retryAfter.delete(k);
    return core.l1.delete(l1Key);
  });
  const { removed, each } = await removeRemoteKeys(core, remoteKeys, inL1);
  engine.publish('keys', remoteKeys, cause, source);
  engine.bumpVersion({ keys: l1Keys });
  for (const [i, k] of remoteKeys.entries()) emitInvalidate(core, 'key', k, each[i]! ? 1 : 0, source);
  return removed;
}

/** Dependents of each key: edges this instance recorded, entries in L1 tagged with it, and L2's tag index. */
async function dependentsOf(
  core: CacheCore,
  engine: CacheInvalidation,
  keys: readonly string[],
): Promise<string[][]> {
  const l2 = core.remotes[0];
  const tagMembers = l2?.tier.tagMembers?.bind(l2.tier);
  return Promise.all(
    keys.map(async (k) => {
      const out: string[] = [];
      const local = engine.graph.dependentsOf(k);
      if (local !== undefined) out.push(...local);
      const p = parseRemoteKey(core.name, k);
      if (p === undefined) return out;
      const tag = dependencyTagOf(p);
      for (const l1Key of core.l1.taggedKeys(tag)) {
        const e = core.l1.entries.get(l1Key);
        if (e !== undefined) out.push(e.remoteKey);
      }
      if (tagMembers !== undefined) {
        const members = await l2!.call('get', () => tagMembers(tag), [] as string[]);
        out.push(...members);
      }
      return out;
    }),
  );
}

/** Keys carrying a qualified tag, from L1 and (when it can tell) L2. */
async function taggedKeys(core: CacheCore, qtag: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const l1Key of core.l1.taggedKeys(qtag)) {
    const e = core.l1.entries.get(l1Key);
    if (e !== undefined) keys.add(e.remoteKey);
  }
  const l2 = core.remotes[0];
  const tagMembers = l2?.tier.tagMembers?.bind(l2.tier);
  if (tagMembers !== undefined)
    for (const k of await l2!.call('get', () => tagMembers(qtag), [] as string[])) keys.add(k);
  return [...keys];
}

function emitInvalidate(
  core: CacheCore,
  scope: 'key' | 'tag' | 'prefix',
  target: string,
  removed: number,
  source: 'local' | 'webhook',
): void {
  const ev = core.events;
  if (ev.wants('invalidate'))
    ev.emit({ type: 'invalidate', cache: core.name, scope, target, removed, source });
}

function checkTargetString(value: string, what: string, max: number): void {
  if (value.length === 0 || value.length > max || value.charCodeAt(0) === 0) {
    throw new InvalidKeyError(
      `invalidate(): the ${what} must be a non-empty string of at most ${max} characters not starting with NUL`,
    );
  }
  checkText(what === 'tag' ? 'tag' : 'key', value);
}

function badTarget(target: unknown): InvalidKeyError {
  return new InvalidKeyError(
    `invalidate() takes a key (string), { tag: string } or { prefix: string }; got ${target === null ? 'null' : typeof target}`,
  );
}

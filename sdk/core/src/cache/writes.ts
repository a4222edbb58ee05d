// The write flow: set/setMany, delete/deleteMany/deleteByTag/clear. Every one of them first tells the key
// versions (so in-flight reads and loads of the key do not land after it), then changes L1, then issues
// the remote calls synchronously, so each tier orders them after every earlier call for the same key.
// deleteByTag and clear are several steps in a remote tier, so they take effect somewhere between their
// start and their end: they invalidate and clear L1 again when the tiers are done.
import type { StoredRecord } from '../codec/record.js';
import { InvalidValueError } from '../errors.js';
import { reportSealFailure } from '../security/encryption/cache-hooks.js';
import { EncryptionError } from '../security/encryption/errors.js';
import { withSubject } from '../security/subject.js';
import type { TierWrite } from '../tiers/tier.js';
import type { CacheCore } from './core.js';
import type { Resolved } from './options.js';
import { checkText, invalidTag } from './scope.js';
import type { SetManyEntry, SetOptions } from './types.js';
import { checkValue } from './value-check.js';
import type { View, Where } from './view.js';

/** A value ready to be written to every tier. */
export interface Prepared {
  where: Where;
  record: StoredRecord;
  size: number;
  bytes: Uint8Array | undefined;
  qualifiedTags: readonly string[] | undefined;
  sliding: boolean;
}

/** Writes one value to L1 and every remote tier; throws InvalidValueError before anything is written. */
export async function set(
  view: View,
  where: Where,
  value: unknown,
  options: SetOptions | undefined,
): Promise<void> {
  const prep = prepare(view, where, value, view.resolve(options), Date.now());
  // With encryption, a Promise only while a data key is fetched: the write takes effect when it is ready.
  const p = prep instanceof Promise ? await prep : prep;
  view.core.versions.bumpKey(where.remoteKey);
  writeL1(view, p);
  await writeRemotes(view, [p]);
}

/** Writes many values: all validated first, then L1, then one batch per remote tier. */
export async function setMany(
  view: View,
  entries: readonly SetManyEntry[],
  l1KeyOf: (key: string) => string,
): Promise<void> {
  const now = Date.now();
  const preps = entries.map((e) =>
    prepare(view, view.where(e.key, l1KeyOf(e.key)), e.value, view.resolve(e), now),
  );
  const prepared = preps.some((p) => p instanceof Promise) ? await Promise.all(preps) : (preps as Prepared[]);
  const versions = view.core.versions;
  for (const p of prepared) {
    versions.bumpKey(p.where.remoteKey);
    writeL1(view, p);
  }
  await writeRemotes(view, prepared);
}

/** Removes a key from every tier. True when some tier had it. */
export async function remove(view: View, where: Where): Promise<boolean> {
  const core = view.core;
  const remoteKey = where.remoteKey;
  core.versions.bumpKey(remoteKey);
  core.retryAfter.delete(remoteKey);
  let removed = core.l1.delete(where.l1Key) ? 1 : 0;
  const results = await Promise.all(
    core.remotes.map((r) => r.call('delete', (t) => t.delete(remoteKey), false)),
  );
  results.forEach((ok, i) => {
    if (ok) {
      removed = 1;
      core.remotes[i]!.counters.deletes++;
    }
  });
  view.emitInvalidate('key', remoteKey, removed);
  return removed > 0;
}

/**
 * Removes many keys from every tier. Returns the largest count any tier removed. Each key gets its own invalidate
 * event saying whether some tier had it (see removeRemoteKeys).
 */
export async function removeMany(view: View, wheres: readonly Where[]): Promise<number> {
  const core = view.core;
  const remoteKeys = wheres.map((w) => w.remoteKey);
  const inL1 = wheres.map((w) => {
    core.versions.bumpKey(w.remoteKey);
    core.retryAfter.delete(w.remoteKey);
    return core.l1.delete(w.l1Key);
  });
  const { removed, each } = await removeRemoteKeys(core, remoteKeys, inL1);
  if (core.events.wants('invalidate'))
    for (const [i, k] of remoteKeys.entries()) view.emitInvalidate('key', k, each[i]! ? 1 : 0);
  return removed;
}

/**
 * Deletes remote keys from every remote tier (after the caller removed them from L1: `inL1[i]` says whether L1
 * had key i). `removed` is the largest count any tier removed; `each[i]` whether some tier had key i: L1's
 * answer or a remote tier's per-key answer (Tier.deleteEach); a tier that reports only a batch count tells
 * for a key only when it removed the whole batch.
 */
export async function removeRemoteKeys(
  core: CacheCore,
  remoteKeys: readonly string[],
  inL1: readonly boolean[],
): Promise<{ removed: number; each: boolean[] }> {
  const perTier = await Promise.all(
    core.remotes.map((r) =>
      r.call<number | boolean[], number>(
        'deleteMany',
        (t) => (t.deleteEach ? t.deleteEach(remoteKeys) : t.deleteMany(remoteKeys)),
        0,
      ),
    ),
  );
  let removed = inL1.filter(Boolean).length;
  perTier.forEach((result, i) => {
    const n = typeof result === 'number' ? result : result.filter(Boolean).length;
    core.remotes[i]!.counters.deletes += n;
    removed = Math.max(removed, n);
  });
  const each = remoteKeys.map(
    (_, i) =>
      inL1[i] === true ||
      perTier.some((r) => (typeof r === 'number' ? r === remoteKeys.length : r[i] === true)),
  );
  return { removed, each };
}

/** Removes every key written with `tag` in this view, from every tier. Returns the largest count any tier removed. */
export async function removeByTag(view: View, tag: string): Promise<number> {
  if (typeof tag !== 'string' || tag.length === 0) throw invalidTag(tag);
  checkText('tag', tag);
  const core = view.core;
  const qtag = view.scope.keyPrefix + tag;
  // A remote deleteByTag takes several steps (Redis: SPOP then UNLINK; fs: list markers, then remove): a
  // read issued meanwhile may still find a tagged value. Nothing tagged lands while it runs; values set
  // while it ran leave L1 at the end, as the tiers may have removed them too.
  let removed = 0;
  const counts = await core.versions.during('tag', qtag, () => {
    removed = core.l1.deleteByTag(qtag);
    return Promise.all(core.remotes.map((r) => r.call('deleteByTag', (t) => t.deleteByTag(qtag), 0)));
  });
  removed += core.l1.deleteByTag(qtag);
  for (const n of counts) removed = Math.max(removed, n);
  view.emitInvalidate('tag', qtag, removed);
  return removed;
}

/** Removes every key of this view (the whole cache at the root, else this namespace and its nested ones). */
export async function clear(view: View): Promise<number> {
  const core = view.core;
  const scope = view.scope;
  // A remote clear takes several steps (Redis: SCAN then UNLINK; fs: scan, then remove): a read issued
  // meanwhile may still find a value. Nothing under the prefix lands while it runs; values set while it ran
  // leave L1 at the end, as the tiers may have removed them too.
  let removed = 0;
  const counts = await core.versions.during('prefix', scope.clearPrefix, () => {
    removed = core.l1.clear(scope.l1ClearPrefix);
    for (const k of [...core.retryAfter.keys()])
      if (k.startsWith(scope.clearPrefix)) core.retryAfter.delete(k);
    return Promise.all(core.remotes.map((r) => r.call('clear', (t) => t.clear(scope.clearPrefix), 0)));
  });
  removed += core.l1.clear(scope.l1ClearPrefix);
  for (const n of counts) removed = Math.max(removed, n);
  view.emitInvalidate('prefix', scope.clearPrefix, removed);
  // clear is an audited action (no-op without an audit log)
  await core.security.auditClear(core.name, scope.path, removed);
  return removed;
}

/**
 * Validates and encodes (stamping the record with `version`, else a new one); throws InvalidValueError before
 * anything is written. A Promise only when encryption has to fetch a data key first; if it cannot (key provider down and no
 * key cached), the value is kept for L1 only (no bytes) and the failure reported per remote tier.
 */
export function prepare(
  view: View,
  where: Where,
  input: unknown,
  o: Resolved,
  now: number,
  version?: number,
): Prepared | Promise<Prepared> {
  const core = view.core;
  // The namespace's value policy (allow / redact / encrypt / reject), security/value-policy.ts.
  const policy = core.security.values;
  const value = policy === undefined ? input : policy.apply(view.scope.path, where.key, input);
  const size = checkValue(value, core.hasRemotes);
  const ttl = o.jitter > 0 ? Math.max(1, Math.round(o.ttl * (1 - o.jitter * Math.random()))) : o.ttl;
  const freshUntil = now + ttl;
  const record: StoredRecord = {
    value,
    freshUntil,
    staleUntil: freshUntil + Math.max(o.grace, o.swr),
    ttl,
    tags: withSubject(o.tags, o.subject),
    version: version ?? core.versions.stamp(),
  };
  const qualifiedTags = view.qualify(record.tags);
  if (!core.hasRemotes) {
    if (size > core.maxValueBytes) {
      throw new InvalidValueError(
        `value for key "${where.key}" is about ${size} bytes, over maxValueBytes ${core.maxValueBytes}; store less or raise maxValueBytes`,
      );
    }
    return { where, record, size, bytes: undefined, qualifiedTags, sliding: o.sliding };
  }
  const prepared = (bytes: Uint8Array | undefined): Prepared => {
    if (bytes !== undefined && bytes.length > core.maxValueBytes) {
      throw new InvalidValueError(
        `value for key "${where.key}" encodes to ${bytes.length} bytes, over maxValueBytes ${core.maxValueBytes}; store less or raise maxValueBytes`,
      );
    }
    return { where, record, size, bytes, qualifiedTags, sliding: o.sliding };
  };
  const encoded = core.codec.encode(record, where.remoteKey);
  if (!(encoded instanceof Promise)) return prepared(encoded);
  return encoded.then(prepared, (error: unknown) => {
    if (!(error instanceof EncryptionError)) throw error;
    reportSealFailure(core, error);
    return prepared(undefined);
  });
}

export function writeL1(view: View, p: Prepared): void {
  const core = view.core;
  const rec = p.record;
  // A new value ends an earlier grace backoff of the key (set, setMany, a landed load).
  core.retryAfter.delete(p.where.remoteKey);
  core.l1.set(p.where.l1Key, {
    value: rec.value,
    freshUntil: rec.freshUntil,
    staleUntil: rec.staleUntil,
    ttl: rec.ttl,
    sliding: p.sliding,
    remoteKey: p.where.remoteKey,
    qualifiedTags: p.qualifiedTags,
    tags: rec.tags,
    size: p.size,
    version: rec.version,
  });
  const ev = core.events;
  if (ev.wants('set'))
    ev.emit({ type: 'set', cache: core.name, tier: 'l1', key: p.where.remoteKey, ttlMs: rec.ttl });
}

/** Issues the writes to every remote tier synchronously (the tiers order them per key), then awaits them. */
export async function writeRemotes(view: View, all: readonly Prepared[]): Promise<void> {
  const core = view.core;
  if (!core.hasRemotes) return;
  // Without bytes: encryption could not seal the value (reported in prepare); it lives in L1 only.
  const prepared = all.every((p) => p.bytes !== undefined) ? all : all.filter((p) => p.bytes !== undefined);
  if (prepared.length === 0) return;
  const now = Date.now();
  const writes: TierWrite[] = prepared.map((p) => {
    const w: TierWrite = {
      key: p.where.remoteKey,
      value: p.bytes!,
      ttlMs: Math.max(1, p.record.staleUntil - now),
      version: p.record.version,
    };
    if (p.qualifiedTags !== undefined) w.tags = p.qualifiedTags;
    return w;
  });
  await Promise.all(
    core.remotes.map(async (r) => {
      const ok =
        writes.length === 1
          ? await r.call('set', (t) => t.set(writes[0]!.key, writes[0]!.value, writes[0]!), false)
          : await r.call('setMany', (t) => t.setMany(writes), false);
      if (ok === false) return;
      r.counters.sets += writes.length;
      const ev = core.events;
      if (ev.wants('set')) {
        for (const p of prepared) {
          ev.emit({
            type: 'set',
            cache: core.name,
            tier: r.name,
            key: p.where.remoteKey,
            ttlMs: p.record.ttl,
          });
        }
      }
    }),
  );
}

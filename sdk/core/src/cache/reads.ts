// The read flow off the L1-hit fast path: remote tiers in order, promotion upward, getMany, has.
import { ChecksumError } from '../codec/checksum.js';
import type { StoredRecord } from '../codec/record.js';
import { removeUndecodable } from '../security/encryption/cache-hooks.js';
import { EncryptionError } from '../security/encryption/errors.js';
import type { Tier } from '../tiers/tier.js';
import type { Flight } from './flight.js';
import type { Resolved } from './options.js';
import type { RemoteTier } from './remote-tier.js';
import { checkValue } from './value-check.js';
import type { Ticket } from './versions.js';
import { type Found, fromEntry, newest, type View, type Where } from './view.js';
import { type ObservedStates, readTier, usable } from './write-back.js';

/** get() after an L1 miss: remote tiers, then a stale value when the caller accepts one. */
export async function getSlow(
  view: View,
  key: string,
  l1Key: string,
  now: number,
  allowStale: boolean,
): Promise<unknown> {
  const core = view.core;
  const where = view.where(key, l1Key);
  const staleL1 = core.l1.getStale(l1Key, now);
  view.emitMiss('l1', where.remoteKey);
  const ticket = core.versions.begin(where.remoteKey);
  let found: Found | undefined;
  try {
    found = await readRemotes(view, where, now, view.resolve(undefined), ticket);
  } finally {
    core.versions.end(ticket);
  }
  core.prefetch?.accessed(view, key, now, where.served ?? 'miss', Date.now() - now);
  if (found !== undefined && now < found.freshUntil) {
    core.counters.hits++;
    return found.value;
  }
  const stale = newest(staleL1 === undefined ? undefined : fromEntry(staleL1), found);
  if (allowStale && stale !== undefined) return view.serveStale(stale, where, 'allow-stale');
  core.counters.misses++;
  return undefined;
}

/** Whether a fresh value exists in any tier (no promotion, no policy touch). */
export async function has(view: View, key: string, l1Key: string): Promise<boolean> {
  const now = Date.now();
  const e = view.core.l1.entries.get(l1Key);
  if (e !== undefined && now < e.freshUntil) return true;
  const remoteKey = view.where(key, l1Key).remoteKey;
  for (const r of view.core.remotes) {
    const bytes = await r.call('get', (t) => t.get(remoteKey), undefined);
    if (bytes === undefined) continue;
    let rec = decode(view, r, remoteKey, bytes);
    if (rec instanceof Promise) rec = await rec;
    if (rec !== undefined && now < rec.freshUntil) return true;
  }
  return false;
}

/** Values for many keys, in order (undefined for misses). Remote tiers are asked once per tier for all L1 misses. */
export async function getMany(
  view: View,
  keys: readonly string[],
  l1KeyOf: (key: string) => string,
): Promise<unknown[]> {
  const core = view.core;
  const now = Date.now();
  const out: unknown[] = new Array(keys.length);
  const pending: { i: number; where: Where; ticket: Ticket }[] = [];
  // Every key is valid before anything is looked up or a ticket opened (an invalid one throws InvalidKeyError).
  const l1Keys = keys.map((key) => {
    const l1Key = l1KeyOf(key);
    view.where(key, l1Key);
    return l1Key;
  });
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const l1Key = l1Keys[i]!;
    const e = core.l1.getFresh(l1Key, now);
    if (e !== undefined) {
      core.counters.hits++;
      view.emitHit('l1', e.remoteKey);
      out[i] = e.value;
      continue;
    }
    core.l1.getStale(l1Key, now);
    const where = view.where(key, l1Key);
    view.emitMiss('l1', where.remoteKey);
    pending.push({ i, where, ticket: core.versions.begin(where.remoteKey) });
  }
  let missing = pending;
  const o = view.resolve(undefined);
  // A key that reaches tier i missed every tier above it: a promotion into those expects them empty (write-back.ts).
  const observed: ObservedStates | undefined = core.hasConditional ? [] : undefined;
  try {
    for (let ti = 0; ti < core.remotes.length && missing.length > 0; ti++) {
      const r = core.remotes[ti]!;
      const rkeys = missing.map((m) => m.where.remoteKey);
      if (observed !== undefined) observed[ti] = { state: '', at: performance.now() };
      const values = await r.call('getMany', (t) => t.getMany(rkeys), undefined);
      if (values === undefined) continue;
      const next: typeof missing = [];
      for (let j = 0; j < missing.length; j++) {
        const m = missing[j]!;
        const bytes = values[j];
        let rec = bytes === undefined ? undefined : decode(view, r, m.where.remoteKey, bytes);
        if (rec instanceof Promise) rec = await rec;
        if (rec === undefined || now >= rec.freshUntil) {
          if (bytes === undefined || rec !== undefined) r.counters.misses++;
          view.emitMiss(r.name, m.where.remoteKey);
          next.push(m);
          continue;
        }
        r.counters.hits++;
        view.emitHit(r.name, m.where.remoteKey);
        promote(view, m.where, rec, bytes!, ti, now, o, m.ticket, undefined, observed);
        core.counters.hits++;
        out[m.i] = rec.value;
      }
      missing = next;
    }
  } finally {
    for (const p of pending) core.versions.end(p.ticket);
  }
  core.counters.misses += missing.length;
  return out;
}

/**
 * L2 then L3: the first fresh record wins and is promoted to the tiers above it (when `ticket` is still
 * current); otherwise the newest stale record (or undefined). Undecodable bytes count as a miss plus a
 * decode-error. With `flight`, a landed promotion marks the flight landed and gives it the record's tags, and
 * the flight keeps the states the conditional tiers reported (its write-back expects them, write-back.ts).
 */
export async function readRemotes(
  view: View,
  where: Where,
  now: number,
  o: Resolved,
  ticket: Ticket,
  emitMisses = true,
  flight?: Flight,
): Promise<Found | undefined> {
  const remotes = view.core.remotes;
  let stale: Found | undefined;
  const observed: ObservedStates | undefined = view.core.hasConditional ? [] : undefined;
  if (flight !== undefined) flight.observed = observed;
  for (let i = 0; i < remotes.length; i++) {
    const r = remotes[i]!;
    const bytes = await readTier(r, i, where.remoteKey, observed, {
      namespace: view.scope.path,
      key: where.key,
    });
    let rec = bytes === undefined ? undefined : decode(view, r, where.remoteKey, bytes);
    if (rec instanceof Promise) rec = await rec;
    if (rec !== undefined && now < rec.freshUntil) {
      r.counters.hits++;
      view.emitHit(r.name, where.remoteKey);
      where.served = r.name;
      promote(view, where, rec, bytes!, i, now, o, ticket, flight, observed);
      return { value: rec.value, freshUntil: rec.freshUntil, staleUntil: rec.staleUntil, tier: r.name };
    }
    if (
      rec !== undefined &&
      now < rec.staleUntil &&
      (stale === undefined || rec.freshUntil > stale.freshUntil)
    ) {
      stale = { value: rec.value, freshUntil: rec.freshUntil, staleUntil: rec.staleUntil, tier: r.name };
    }
    if (emitMisses) {
      r.counters.misses++;
      view.emitMiss(r.name, where.remoteKey);
    }
  }
  return stale;
}

/**
 * Decodes a remote value; undefined (counted, with a decode-error event) when it cannot be read. A Promise only
 * when encryption has to unwrap a data key first. A value that fails decryption (anything but a key provider
 * outage) or its checksum is removed from the tier, never served.
 */
export function decode(
  view: View,
  r: RemoteTier,
  remoteKey: string,
  bytes: Uint8Array,
): StoredRecord | undefined | Promise<StoredRecord | undefined> {
  const core = view.core;
  const ok = (rec: StoredRecord) => {
    core.versions.observe(rec.version);
    return rec;
  };
  const failed = (error: unknown) => {
    r.counters.decodeErrors++;
    const ev = core.events;
    if (ev.wants('decode-error')) {
      ev.emit({ type: 'decode-error', cache: core.name, tier: r.name, key: remoteKey, error });
    }
    if (error instanceof ChecksumError) {
      r.counters.checksumFailures++;
      void removeUndecodable(r, remoteKey, bytes);
    } else if (error instanceof EncryptionError && error.removesEntry)
      void removeUndecodable(r, remoteKey, bytes);
    return undefined;
  };
  try {
    const rec = core.codec.decode(bytes, remoteKey);
    return rec instanceof Promise ? rec.then(ok, failed) : ok(rec);
  } catch (error) {
    return failed(error);
  }
}

/**
 * A fresh record found in remote tier `index` fills L1 and every remote tier above it, unless the key was
 * written, deleted or invalidated since `ticket` was taken (then the read's answer is returned to its
 * caller but lands nowhere). The upper-tier writes are issued synchronously with the L1 write, so each
 * tier orders them before any later write or delete of the key; a conditional tier takes one only if the key
 * is as `observed` found it before this read (a delete since, on any instance, left a tombstone there).
 */
function promote(
  view: View,
  where: Where,
  rec: StoredRecord,
  bytes: Uint8Array,
  index: number,
  now: number,
  o: Resolved,
  ticket: Ticket,
  flight: Flight | undefined,
  observed: ObservedStates | undefined,
): void {
  const core = view.core;
  const qualifiedTags = view.qualify(rec.tags);
  if (!core.versions.current(ticket, qualifiedTags)) return;
  const r = core.remotes[index]!;
  core.l1.set(where.l1Key, {
    value: rec.value,
    freshUntil: rec.freshUntil,
    staleUntil: rec.staleUntil,
    ttl: rec.ttl,
    sliding: o.sliding,
    remoteKey: where.remoteKey,
    qualifiedTags,
    tags: rec.tags,
    size: core.l1.maxBytes === undefined ? bytes.length : safeSize(rec.value, bytes.length),
    version: rec.version,
  });
  core.versions.landed(ticket);
  if (flight !== undefined) {
    flight.landed = true;
    flight.tags = qualifiedTags;
  }
  core.countMovement(r.name, 'l1');
  view.emitMove('promote', r.name, 'l1', where.remoteKey);
  const ttlMs = rec.staleUntil - now;
  const version = rec.version;
  const w = {
    key: where.remoteKey,
    value: bytes,
    ttlMs,
    version,
    ...(qualifiedTags !== undefined && { tags: qualifiedTags }),
  };
  for (let i = 0; i < index; i++) {
    const up = core.remotes[i]!;
    let write: (t: Tier) => Promise<boolean>;
    if (!up.conditional) write = (t) => t.set(w.key, bytes, w).then(() => true);
    else {
      // Only into a key the read found empty and still is: a tombstone there (a delete this instance may not have
      // heard of yet) or any value stays.
      const seen = observed?.[i];
      if (!usable(up, seen) || seen.state !== '') continue;
      write = (t) => t.setIfUnchanged!(w, '');
    }
    void up.call('set', write, false).then((ok) => {
      if (ok === false) return;
      up.counters.sets++;
      core.countMovement(r.name, up.name);
      view.emitMove('promote', r.name, up.name, where.remoteKey);
    });
  }
}

function safeSize(value: unknown, fallback: number): number {
  try {
    return checkValue(value);
  } catch {
    return fallback;
  }
}

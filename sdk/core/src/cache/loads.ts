// The load flow of getOrSet after an L1 miss: single-flight per key (Flight), remote tiers, the stampede
// lock, the loader with soft/hard timeouts, write-back, and the stale answers (SWR, grace, soft timeout,
// backoff). A flight lands its value only while its ticket is current (see versions.ts).
import { InvalidValueError, LoaderError, OmniCacheError, TimeoutError } from '../errors.js';
import { backoffDelay } from '../resilience/backoff.js';
import type { LockHandle } from '../resilience/distributed-lock.js';
import { sleep, withTimeout } from '../resilience/timeout.js';
import { Flight } from './flight.js';
import type { Resolved } from './options.js';
import { readRemotes } from './reads.js';
import { isSkipCache, type SkipCache, skipCache } from './skip-cache.js';
import type { GetOrSetOptions, Loader, LoaderContext } from './types.js';
import { type Found, fromEntry, newest, type View, type Where } from './view.js';
import { refusedWriteBack, writeBack } from './write-back.js';
import { prepare, writeL1 } from './writes.js';

const SOFT = Symbol('soft-timeout');
const MAX_BACKOFF_FACTOR = 10;

/** getOrSet after an L1 miss, inside a getOrSet span when tracing is installed. */
export function getOrSetSlow<V>(
  view: View,
  key: string,
  l1Key: string,
  now: number,
  loader: Loader<V>,
  options: GetOrSetOptions | undefined,
): Promise<V> {
  const tracing = view.core.tracing;
  if (tracing === undefined) return getOrSetMiss(view, key, l1Key, now, loader, options);
  return tracing.trace('getOrSet', { cache: view.core.name, namespace: view.scope.path, key }, () =>
    getOrSetMiss(view, key, l1Key, now, loader, options),
  );
}

function getOrSetMiss<V>(
  view: View,
  key: string,
  l1Key: string,
  now: number,
  loader: Loader<V>,
  options: GetOrSetOptions | undefined,
): Promise<V> {
  const core = view.core;
  const where = view.where(key, l1Key);
  const o = view.resolve(options);
  const staleEntry = core.l1.getStale(l1Key, now);
  view.emitMiss('l1', where.remoteKey);
  const staleL1 = staleEntry === undefined ? undefined : fromEntry(staleEntry);
  if (staleL1 !== undefined && now < staleL1.freshUntil + o.swr) {
    startRefresh(view, where, loader, o, staleL1);
    core.prefetch?.accessed(view, key, now, 'l1', 0);
    return Promise.resolve(view.serveStale(staleL1, where, 'swr') as V);
  }
  const running = joinable(view, where);
  const answer =
    running !== undefined
      ? join(view, where, running, loader, o)
      : (start(view, where, loader, o, staleL1, false) as Promise<V>);
  const prefetch = core.prefetch;
  if (prefetch === undefined) return answer;
  // The access stream: where the miss was answered (a remote tier, the loader, or nothing of its own: joined).
  const tracked = () => prefetch.accessed(view, key, now, where.served ?? 'miss', Date.now() - now);
  answer.then(tracked, tracked);
  return answer;
}

/** The key's registered flight, if a caller arriving now may take its answer. */
function joinable(view: View, where: Where): Flight | undefined {
  const running = view.core.inflight.get(where.remoteKey);
  if (running === undefined) return undefined;
  // A flight that started (or landed) before a write, delete or invalidation of the key is not joined: its
  // value may be what that call removed.
  return view.core.versions.current(running.ticket, running.tags) ? running : undefined;
}

/** A caller takes a running flight's answer (single-flight). */
async function join<V>(view: View, where: Where, flight: Flight, loader: Loader<V>, o: Resolved): Promise<V> {
  const core = view.core;
  core.counters.coalesced++;
  core.tracing?.coalesced();
  if (core.events.wants('coalesce'))
    core.events.emit({ type: 'coalesce', cache: core.name, key: where.remoteKey });
  let value: unknown;
  try {
    value = await flight.answer;
  } catch (error) {
    if (!flight.refresh) throw error; // already a LoaderError / TimeoutError, counted by the caller that started it
    // A background refresh fails with the loader's own error and nobody counted it: this caller is the first to see it.
    if (!flight.errorCounted) {
      flight.errorCounted = true;
      core.counters.errors++;
    }
    throw error instanceof OmniCacheError ? error : new LoaderError(where.key, { cause: error });
  }
  // Tags learned only after joining (a remote record's) may have been invalidated between the flight's start
  // and this call: then ask again (L1, a newer flight, or a load of its own).
  if (flight.landed || core.versions.current(flight.ticket, flight.tags)) return value as V;
  return again(view, where, loader, o);
}

/** A joined flight turned out to be overtaken: L1 (a write since may have filled it), else a flight of its own. */
function again<V>(view: View, where: Where, loader: Loader<V>, o: Resolved): Promise<V> {
  const core = view.core;
  const e = core.l1.getFresh(where.l1Key, Date.now());
  if (e !== undefined) {
    core.counters.hits++;
    view.emitHit('l1', where.remoteKey);
    return Promise.resolve(e.value as V);
  }
  return start(view, where, loader, o, undefined, false) as Promise<V>;
}

/** Starts a flight and registers it until its answer and its loader run (if any) have both settled. */
function start<V>(
  view: View,
  where: Where,
  loader: Loader<V>,
  o: Resolved,
  staleL1: Found | undefined,
  refresh: boolean,
): Promise<unknown> {
  const core = view.core;
  const flight = new Flight(core.versions.begin(where.remoteKey), view.qualify(o.tags), refresh);
  flight.answer = fly(view, where, loader, o, staleL1, flight);
  core.inflight.set(where.remoteKey, flight);
  const done = () => {
    if (core.inflight.get(where.remoteKey) === flight) core.inflight.delete(where.remoteKey);
    core.versions.end(flight.ticket);
  };
  const settle = () => {
    const load = flight.load;
    if (load === undefined) done();
    else load.then(done, done);
  };
  flight.answer.then(settle, settle);
  return flight.answer;
}

/** Stale-while-revalidate: one background refresh per key (joins nothing, never throws). */
function startRefresh<V>(view: View, where: Where, loader: Loader<V>, o: Resolved, stale: Found): void {
  const core = view.core;
  if (joinable(view, where) !== undefined) return;
  core.counters.backgroundRefreshes++;
  start(view, where, loader, o, stale, true);
}

/** One load of one key: remote tiers, then (under the stampede lock) the loader. */
async function fly<V>(
  view: View,
  where: Where,
  loader: Loader<V>,
  o: Resolved,
  staleL1: Found | undefined,
  flight: Flight,
): Promise<V> {
  const core = view.core;
  const now = Date.now();
  const found = await readRemotes(view, where, now, o, flight.ticket, true, flight);
  if (found !== undefined && now < found.freshUntil) {
    // A background refresh is not a request: its caller was already counted (stale).
    if (!flight.refresh) {
      core.counters.hits++;
      core.tracing?.result('hit');
    }
    return found.value as V;
  }
  const stale = newest(staleL1, found);
  if (!flight.refresh) {
    if (stale !== undefined && stale.tier !== 'l1' && now < stale.freshUntil + o.swr) {
      // A stale value from a remote tier within its stale-while-revalidate window: serve it, refresh behind.
      // The flight stays registered until that refresh settles, so concurrent misses join it.
      core.counters.backgroundRefreshes++;
      const bg = loadGuarded(view, where, loader, o, stale, true, flight);
      bg.catch(() => undefined);
      flight.load = bg;
      return view.serveStale(stale, where, 'swr') as V;
    }
    const retry = core.retryAfter.get(where.remoteKey);
    if (
      retry !== undefined &&
      stale !== undefined &&
      Date.now() < retry.until &&
      now < stale.freshUntil + o.grace
    ) {
      return view.serveStale(stale, where, 'backoff') as V;
    }
    core.counters.misses++;
  }
  return loadGuarded(view, where, loader, o, stale, flight.refresh, flight);
}

/** Takes the stampede lock when configured (or waits for the holder's value), then runs the loader. */
async function loadGuarded<V>(
  view: View,
  where: Where,
  loader: Loader<V>,
  o: Resolved,
  stale: Found | undefined,
  refresh: boolean,
  flight: Flight,
): Promise<V> {
  // Running the loader stores its value: the caller needs write permission too (a read-only caller gets
  // cached values, and AccessDeniedError when the loader would run).
  if (view.core.access !== undefined) view.authorize('write');
  const lock = view.core.lock;
  if (lock === undefined || !lock.enabled || !o.lock)
    return runLoader(view, where, loader, o, stale, refresh, undefined, flight);
  const got = await acquire(view, where, o, flight);
  if ('value' in got) return got.value as V;
  return runLoader(view, where, loader, o, stale, refresh, got.handle, flight);
}

async function acquire(
  view: View,
  where: Where,
  o: Resolved,
  flight: Flight,
): Promise<{ value: unknown } | { handle: LockHandle | undefined }> {
  const core = view.core;
  const cfg = core.lock!;
  const name = where.remoteKey;
  const tryOnce = async (): Promise<LockHandle | undefined | null> => {
    try {
      return await cfg.lock.tryAcquire(name, cfg.ttlMs);
    } catch {
      core.counters.lockErrors++;
      if (core.events.wants('lock'))
        core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'error' });
      return null;
    }
  };
  const recheck = async (): Promise<{ value: unknown } | undefined> => {
    const now = Date.now();
    const found = await readRemotes(view, where, now, o, flight.ticket, false, flight);
    return found !== undefined && now < found.freshUntil ? { value: found.value } : undefined;
  };
  const acquired = async (h: LockHandle): Promise<{ value: unknown } | { handle: LockHandle }> => {
    core.counters.lockAcquired++;
    if (core.events.wants('lock'))
      core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'acquired' });
    // Another holder may have finished between our read and the acquire.
    const v = await recheck();
    if (v === undefined) return { handle: h };
    await h.release().catch(() => undefined);
    return v;
  };
  let handle = await tryOnce();
  if (handle === null) return { handle: undefined };
  if (handle !== undefined) return acquired(handle);
  core.counters.lockWaited++;
  if (core.events.wants('lock'))
    core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'waited' });
  const deadline = Date.now() + cfg.ttlMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    await sleep(Math.min(backoffDelay(attempt, cfg.pollMs, 250), Math.max(1, deadline - Date.now())));
    const v = await recheck();
    if (v !== undefined) return v;
    handle = await tryOnce();
    if (handle === null) return { handle: undefined };
    if (handle !== undefined) return acquired(handle);
  }
  core.counters.lockExpired++;
  if (core.events.wants('lock'))
    core.events.emit({ type: 'lock', cache: core.name, key: name, outcome: 'expired' });
  return { handle: undefined };
}

/**
 * Calls the loader with soft/hard timeouts; lands the result (L1 + write-back) while the flight is current;
 * serves stale under grace or soft timeout. A result arriving after the hard timeout lands nowhere.
 */
async function runLoader<V>(
  view: View,
  where: Where,
  loader: Loader<V>,
  o: Resolved,
  stale: Found | undefined,
  refresh: boolean,
  handle: LockHandle | undefined,
  flight: Flight,
): Promise<V> {
  const core = view.core;
  const c = core.counters;
  const started = performance.now();
  const ac = new AbortController();
  const ctx: LoaderContext<V> = {
    key: where.key,
    namespace: view.scope.path,
    stale: stale?.value as V | undefined,
    signal: ac.signal,
    skipCache,
  };
  c.loaderCalls++;
  where.served = 'loader';
  // The record's version is the load's start: the value reflects the source as of (at the latest) this moment.
  const version = core.versions.stamp();
  const call = () =>
    new Promise<V | SkipCache<V>>((resolve, reject) => {
      try {
        Promise.resolve(loader(ctx)).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  const tracing = core.tracing;
  if (!refresh) tracing?.result('miss');
  const loaded =
    tracing === undefined
      ? call()
      : tracing.trace('loader', { cache: core.name, namespace: view.scope.path, key: where.key }, call);
  // The hard timeout bounds the loader only: past it the caller gets TimeoutError (or grace) and a late result
  // lands nowhere. Storing a value the loader did return in time is bounded by the tiers' own budgets, and a slow
  // write-back must not turn that success into a timeout.
  const timed = withTimeout(loaded, o.hard, `loader for key "${where.key}"`, () => ac.abort());
  const stored = timed.then(async (result): Promise<V> => {
    // ctx.skipCache(value): answered, stored nowhere.
    if (isSkipCache(result)) return result.value as V;
    const value = result;
    const prep = prepare(view, where, value, o, Date.now(), version);
    const p = prep instanceof Promise ? await prep : prep;
    // Overtaken by a write, delete or invalidation of the key: the caller gets the value, no tier does.
    if (!core.versions.current(flight.ticket, p.qualifiedTags)) return value;
    writeL1(view, p);
    core.versions.landed(flight.ticket);
    flight.landed = true;
    flight.tags = p.qualifiedTags;
    // Refused by a shared tier (the key changed there since the flight read it, maybe on another instance): the
    // caller still gets the value, no tier keeps it.
    const current = () => core.versions.current(flight.ticket, p.qualifiedTags);
    if (await writeBack(view, p, flight.observed, current)) refusedWriteBack(view, p);
    return value;
  });
  const settled = stored.then(
    (value) => {
      c.loaderSuccess++;
      core.retryAfter.delete(where.remoteKey);
      view.emitLoad(where, 'success', started, undefined);
      return value;
    },
    (error: unknown) => {
      if (error instanceof TimeoutError) c.loaderTimeout++;
      else c.loaderError++;
      view.emitLoad(where, error instanceof TimeoutError ? 'timeout' : 'error', started, error);
      throw error;
    },
  );
  const finished = settled.finally(() => {
    if (handle !== undefined) void handle.release().catch(() => undefined);
  });
  flight.load = finished;
  if (!refresh && stale !== undefined && o.soft > 0 && !(o.hard > 0 && o.hard <= o.soft)) {
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      finished.then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
      new Promise<typeof SOFT>((resolve) => {
        timer = setTimeout(() => resolve(SOFT), o.soft);
      }),
    ]);
    clearTimeout(timer);
    if (first === SOFT) {
      c.backgroundRefreshes++;
      finished.catch(() => undefined);
      return view.serveStale(stale, where, 'soft-timeout') as V;
    }
    if (first.ok) return first.v;
    return onLoaderFailure(view, where, first.e, o, stale, refresh);
  }
  try {
    return await finished;
  } catch (error) {
    return onLoaderFailure(view, where, error, o, stale, refresh);
  }
}

function onLoaderFailure<V>(
  view: View,
  where: Where,
  error: unknown,
  o: Resolved,
  stale: Found | undefined,
  refresh: boolean,
): V {
  const core = view.core;
  if (error instanceof InvalidValueError) {
    core.counters.errors++;
    throw error;
  }
  const now = Date.now();
  if (stale !== undefined && now < stale.freshUntil + o.grace && now < stale.staleUntil) {
    const prev = core.retryAfter.get(where.remoteKey);
    const failures = (prev?.failures ?? 0) + 1;
    const delay = Math.min(o.graceBackoff * 2 ** (failures - 1), o.graceBackoff * MAX_BACKOFF_FACTOR);
    core.retryAfter.set(where.remoteKey, { until: now + delay, failures });
    if (refresh) return stale.value as V;
    return view.serveStale(stale, where, 'grace') as V;
  }
  if (refresh) throw error;
  core.counters.errors++;
  if (error instanceof TimeoutError || error instanceof OmniCacheError) throw error;
  throw new LoaderError(where.key, { cause: error });
}

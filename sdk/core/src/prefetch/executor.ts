/**
 * The prefetch executor: turns hints into L1 entries. A hint names a key by its HMAC; the executor resolves it
 * through the dictionary of recently sampled keys, checks it is worth it (confidence, deadline, not present,
 * a loader or a remote tier can produce it, room, rate), then reads the remote tiers or calls the loader
 * registered for the key's pattern, and lands the value in L1 through `setPrefetched` (ARC: T1, never pushing out
 * T2). Like a load, it holds a per-key version ticket: a write, delete or invalidation of the key while it runs
 * means the value lands nowhere. A loaded value is written back to the remote tiers like any load.
 */
import type { CacheCore } from '../cache/core.js';
import type { Resolved } from '../cache/options.js';
import { decode } from '../cache/reads.js';
import { isSkipCache, skipCache } from '../cache/skip-cache.js';
import type { LoaderContext } from '../cache/types.js';
import { checkValue } from '../cache/value-check.js';
import type { Ticket } from '../cache/versions.js';
import type { View, Where } from '../cache/view.js';
import { type ObservedStates, readTier, refusedWriteBack, writeBack } from '../cache/write-back.js';
import { prepare } from '../cache/writes.js';
import type { StoredRecord } from '../codec/record.js';
import { withTimeout } from '../resilience/timeout.js';
import type { L1Entry } from '../tiers/memory/entry.js';
import type { KeyDictionary } from './key-dictionary.js';
import type { PrefetchClass, PrefetchLedger } from './ledger.js';
import { loaderRegistry } from './loaders.js';
import type { PrefetchHint } from './messages.js';
import type { ResolvedPrefetchOptions } from './options.js';
import { ShadowScores } from './shadow.js';
import type { PrefetchDropReason, PrefetchStats } from './stats.js';
import { TokenBucket } from './token-bucket.js';

/** A key as the dictionary remembers it: the view that read it and the key in that view. */
export interface KnownKey {
  view: View;
  key: string;
}

/** Most hints scored in shadow at once. */
const SHADOW_SIZE = 4_096;

type Produced =
  | { entry: L1Entry; prepared?: Awaited<ReturnType<typeof prepare>>; observed?: ObservedStates | undefined }
  | PrefetchDropReason;

export class PrefetchExecutor {
  readonly #core: CacheCore;
  readonly #options: ResolvedPrefetchOptions;
  readonly #ledger: PrefetchLedger;
  readonly #dictionary: KeyDictionary<KnownKey>;
  readonly #stats: PrefetchStats;
  readonly #bucket: TokenBucket;
  readonly #maxOutstanding: number;
  /** Remote keys being prefetched now (bounded by maxConcurrent). */
  readonly #loading = new Set<string>();
  /** Hints not acted on while their class is off, scored in shadow (bounded). */
  readonly #shadow: ShadowScores;

  constructor(
    core: CacheCore,
    options: ResolvedPrefetchOptions,
    ledger: PrefetchLedger,
    dictionary: KeyDictionary<KnownKey>,
    stats: PrefetchStats,
  ) {
    this.#core = core;
    this.#options = options;
    this.#ledger = ledger;
    this.#dictionary = dictionary;
    this.#stats = stats;
    this.#bucket = new TokenBucket(options.maxPerSecond);
    this.#maxOutstanding = options.maxOutstanding ?? Math.max(4, Math.floor(core.l1.policy.capacity * 0.25));
    this.#shadow = new ShadowScores(SHADOW_SIZE, (cls, used) => ledger.shadowOutcome(cls, used));
  }

  /** Hints waiting in shadow (the engine checks demand accesses against them only when there are some). */
  get shadowed(): number {
    return this.#shadow.size;
  }

  /** A demand access of `l1Key` (not an L1 hit): settles the shadow-scored hint of that key, if any. */
  shadowRead(l1Key: string, now: number): void {
    this.#shadow.read(l1Key, now);
  }

  /** Shadow-scored hints past their deadline count as would-have-been wasted. */
  sweep(now: number): void {
    this.#shadow.settle(now);
  }

  /** Loads in progress. */
  get active(): number {
    return this.#loading.size;
  }

  /** One hint: acted on (a load starts) or dropped with a counted reason. */
  offer(hint: PrefetchHint, now: number): void {
    this.#stats.hints++;
    const reason = this.#admit(hint, now);
    if (reason !== undefined) this.#stats.dropped[reason]++;
  }

  #admit(hint: PrefetchHint, now: number): PrefetchDropReason | undefined {
    const o = this.#options;
    const ledger = this.#ledger;
    if (hint.confidence < o.minConfidence) return 'low_confidence';
    if (now > hint.deadline) return 'deadline';
    const known = this.#dictionary.lookup(hint.k);
    if (known === undefined || known.view.scope.path !== hint.ns) return 'unknown_key';
    const core = this.#core;
    const { view, key } = known;
    const where = view.where(key, view.scope.l1Prefix + key);
    const e = core.l1.entries.get(where.l1Key);
    if ((e !== undefined && now < e.freshUntil) || core.inflight.has(where.remoteKey)) return 'present';
    if (this.#loading.has(where.remoteKey)) return 'present';
    const registered = loaderRegistry(core).match(view.scope.path, key);
    if (registered === undefined && !core.hasRemotes) return 'no_loader';
    // Its pattern's recent prefetches wasted more than the budget allows: issue nothing, score the hint in shadow
    // (it would have been used if the key is read by demand before the hint's deadline).
    const cls = ledger.classOf(registered);
    if (!ledger.admits(cls)) {
      this.#shadow.add(where.l1Key, ledger.shadowUntil(now, hint.deadline), cls);
      return 'backoff';
    }
    if (ledger.pending.size + this.#loading.size >= this.#maxOutstanding) return 'no_room';
    if (this.#loading.size >= o.maxConcurrent || !this.#bucket.take(now)) return 'rate_limit';
    this.#stats.issued++;
    this.#loading.add(where.remoteKey);
    cls.running++;
    const ticket = core.versions.begin(where.remoteKey);
    void this.#run(view, where, registered, hint.deadline, ticket, cls)
      .then(
        (r) => {
          if (r !== undefined) this.#stats.dropped[r]++;
        },
        () => {
          this.#stats.dropped.error++;
        },
      )
      .finally(() => {
        core.versions.end(ticket);
        this.#loading.delete(where.remoteKey);
        cls.running--;
      });
    return undefined;
  }

  async #run(
    view: View,
    where: Where,
    registered: ReturnType<ReturnType<typeof loaderRegistry>['match']>,
    deadline: number,
    ticket: Ticket,
    cls: PrefetchClass,
  ): Promise<PrefetchDropReason | undefined> {
    const core = this.#core;
    const o = view.resolve(registered?.options);
    const ac = new AbortController();
    const produced = await withTimeout(
      this.#produce(view, where, registered, o, ac.signal),
      this.#options.loadTimeoutMs,
      `prefetch of "${where.key}"`,
      () => ac.abort(),
    );
    if (typeof produced === 'string') return produced;
    const { entry, prepared, observed } = produced;
    // A write, delete or invalidation of the key (or of a tag it carries) since the hint was taken: land nowhere.
    if (!core.versions.current(ticket, entry.qualifiedTags)) return 'overtaken';
    const now = Date.now();
    let dropped: PrefetchDropReason | undefined;
    if (now > deadline) dropped = 'deadline';
    else if (this.#ledger.pending.size >= this.#maxOutstanding) dropped = 'no_room';
    else if (!core.l1.setPrefetched(where.l1Key, entry)) dropped = 'no_room';
    else {
      core.versions.landed(ticket);
      this.#ledger.mark(where.l1Key, now, deadline, cls);
    }
    // A value the loader produced is written back like any load (other instances and later misses gain), unless
    // the key changed in a shared tier since it was read (write-back.ts).
    if (prepared === undefined) return dropped;
    const current = () => core.versions.current(ticket, prepared.qualifiedTags);
    if (await writeBack(view, prepared, observed, current)) refusedWriteBack(view, prepared);
    return dropped;
  }

  /** A fresh record from a remote tier, else the registered loader's value; or why there is none. */
  async #produce(
    view: View,
    where: Where,
    registered: ReturnType<ReturnType<typeof loaderRegistry>['match']>,
    o: Resolved,
    signal: AbortSignal,
  ): Promise<Produced> {
    const core = this.#core;
    const now = Date.now();
    const observed: ObservedStates | undefined = core.hasConditional ? [] : undefined;
    for (const [i, r] of core.remotes.entries()) {
      const bytes = await readTier(r, i, where.remoteKey, observed);
      if (bytes === undefined) continue;
      let rec = decode(view, r, where.remoteKey, bytes);
      if (rec instanceof Promise) rec = await rec;
      if (rec === undefined || now >= rec.freshUntil) continue;
      let size = bytes.length;
      if (core.l1.maxBytes !== undefined) {
        try {
          size = checkValue(rec.value);
        } catch {
          // keep the encoded size
        }
      }
      return { entry: entryOf(rec, where, view.qualify(rec.tags), o.sliding, size) };
    }
    if (registered === undefined) return 'no_loader';
    const ctx: LoaderContext<unknown> = {
      key: where.key,
      namespace: view.scope.path,
      stale: undefined,
      signal,
      skipCache,
    };
    const version = core.versions.stamp();
    const value = await registered.loader(ctx);
    // "Answer but do not store": nothing to prefetch.
    if (isSkipCache(value)) return 'uncacheable';
    const prep = prepare(view, where, value, o, Date.now(), version);
    const p = prep instanceof Promise ? await prep : prep;
    return { entry: entryOf(p.record, where, p.qualifiedTags, p.sliding, p.size), prepared: p, observed };
  }
}

function entryOf(
  rec: StoredRecord,
  where: Where,
  qualifiedTags: readonly string[] | undefined,
  sliding: boolean,
  size: number,
): L1Entry {
  return {
    value: rec.value,
    freshUntil: rec.freshUntil,
    staleUntil: rec.staleUntil,
    ttl: rec.ttl,
    sliding,
    remoteKey: where.remoteKey,
    qualifiedTags,
    tags: rec.tags,
    size,
    version: rec.version,
  };
}

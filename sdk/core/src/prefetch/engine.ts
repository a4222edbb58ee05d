/**
 * One cache's prefetch loop (the `prefetch` option): the sampled access stream out, hints in, the executor,
 * the used/wasted ledger and the counters. cache.ts reaches it through `core.prefetch` in two hooks: an access
 * (`accessed`, on the L1 hit path and after a miss was answered) and close. Off by default: without the option
 * `core.prefetch` is undefined and the hit path pays one field check.
 */
import { randomUUID } from 'node:crypto';
import type { CacheCore } from '../cache/core.js';
import type { View } from '../cache/view.js';
import { sleep } from '../resilience/timeout.js';
import { type KnownKey, PrefetchExecutor } from './executor.js';
import { KeyDictionary } from './key-dictionary.js';
import { KeyHasher } from './key-hash.js';
import { PrefetchLedger } from './ledger.js';
import {
  type AccessTier,
  decodePrefetchMessage,
  encodePrefetchMessage,
  PREFETCH_MESSAGE_VERSION,
} from './messages.js';
import { type PrefetchOption, prefetchOptionSchema, type ResolvedPrefetchOptions } from './options.js';
import type { PrefetchBus } from './prefetch-bus.js';
import { AccessSampler } from './sampler.js';
import { prefetchSession } from './session.js';
import { PREFETCH_DROP_REASONS, type PrefetchStats, SAMPLE_OUTCOMES, zeroCounts } from './stats.js';

const SWEEP_MS = 1_000;
/** Session ids are hashed apart from keys (no namespace path contains a NUL). */
const SESSION_NS = '\u0000session';

export class PrefetchEngine {
  readonly group: string;
  readonly origin: string;
  /** Resolves once the transport is started (retried in the background until it is, or until close). */
  readonly ready: Promise<void>;
  readonly #bus: PrefetchBus;
  readonly #hasher: KeyHasher;
  readonly #dictionary: KeyDictionary<KnownKey>;
  readonly #sampler: AccessSampler;
  readonly #ledger: PrefetchLedger;
  readonly #executor: PrefetchExecutor;
  readonly #stats: PrefetchStats;
  readonly #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #lastSession: { id: string; hash: string } | undefined = undefined;
  /** Loop delays of the last hint messages: access seen by the model -> hints here (ms). */
  readonly #delays = { ms: new Float64Array(1024), next: 0 };

  constructor(core: CacheCore, options: ResolvedPrefetchOptions) {
    this.group = options.group ?? core.name;
    this.origin = `${core.name}.${randomUUID()}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 128);
    this.#bus = options.bus;
    this.#hasher = new KeyHasher(options.hashKey);
    this.#dictionary = new KeyDictionary(options.dictionarySize);
    this.#stats = {
      transport: options.bus.kind,
      hints: 0,
      issued: 0,
      used: 0,
      wasted: 0,
      shadow: { used: 0, wasted: 0 },
      dropped: zeroCounts(PREFETCH_DROP_REASONS),
      samples: zeroCounts(SAMPLE_OUTCOMES),
      rejected: 0,
      outstanding: 0,
      rateFactor: 1,
      hintDelayMs: { count: 0, p50: 0, p95: 0, max: 0 },
    };
    this.#sampler = new AccessSampler(options.sample, this.#stats.samples);
    this.#ledger = new PrefetchLedger(options.wasteBudget, options.usedWithinMs);
    core.l1.marks = this.#ledger;
    this.#executor = new PrefetchExecutor(core, options, this.#ledger, this.#dictionary, this.#stats);
    const flush = setInterval(() => this.#flush(), options.sample.flushMs);
    const sweep = setInterval(() => {
      const now = Date.now();
      this.#ledger.sweep(now);
      this.#executor.sweep(now);
    }, SWEEP_MS);
    flush.unref();
    sweep.unref();
    this.#timers.push(flush, sweep);
    this.ready = this.#start();
    this.ready.catch(() => undefined);
  }

  /**
   * A demand access of `key` in `view`, started at `t`, answered by `tier` at `cost` ms. All an unsampled access
   * costs is the sampler's window check.
   */
  accessed(view: View, key: string, t: number, tier: AccessTier, cost: number): void {
    // A hint scored in shadow is for a key that was not in L1: only accesses L1 did not answer can settle it
    // (so the L1 hit path stays allocation-free).
    if (tier !== 'l1' && this.#executor.shadowed !== 0)
      this.#executor.shadowRead(view.scope.l1Prefix + key, t);
    if (!this.#sampler.on(t)) return;
    const ns = view.scope.path;
    const k = this.#hasher.hash(ns, key);
    this.#dictionary.remember(k, { view, key });
    this.#sampler.add(ns, k, t, tier, cost, this.#session());
  }

  /** The HMAC of the running prefetch session, if any (the last one is remembered: a session reads in runs). */
  #session(): string | undefined {
    const id = prefetchSession();
    if (id === undefined) return undefined;
    const last = this.#lastSession;
    if (last !== undefined && last.id === id) return last.hash;
    const hash = this.#hasher.hash(SESSION_NS, id);
    this.#lastSession = { id, hash };
    return hash;
  }

  stats(): PrefetchStats {
    const s = this.#stats;
    s.used = this.#ledger.usedCount;
    s.wasted = this.#ledger.wastedCount;
    s.shadow = { used: this.#ledger.shadowUsedCount, wasted: this.#ledger.shadowWastedCount };
    s.outstanding = this.#ledger.pending.size;
    s.rateFactor = this.#ledger.factor;
    const d = this.#delays;
    const recent = Array.from(d.ms.subarray(0, Math.min(d.next, d.ms.length))).sort((a, b) => a - b);
    const at = (q: number) =>
      recent.length === 0 ? 0 : recent[Math.min(recent.length - 1, Math.floor(q * recent.length))]!;
    s.hintDelayMs = { count: d.next, p50: at(0.5), p95: at(0.95), max: at(1) };
    return { ...s, shadow: { ...s.shadow }, dropped: { ...s.dropped }, samples: { ...s.samples } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#flush();
    await this.#bus.close().catch(() => undefined);
  }

  async #start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw new Error('prefetch closed before its bus started');
      try {
        await this.#bus.start(this.group, 'cache', (payload) => this.#received(payload));
        return;
      } catch (error) {
        if (this.#closed) throw error;
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  }

  #received(payload: string | Uint8Array): void {
    const r = decodePrefetchMessage(payload);
    if (!r.ok) {
      this.#stats.rejected++;
      return;
    }
    const m = r.message;
    if (m.kind !== 'hints' || m.group !== this.group || this.#closed) return;
    if (m.for !== undefined && m.for !== this.origin) return;
    const now = Date.now();
    const d = this.#delays;
    d.ms[d.next++ % d.ms.length] = Math.max(0, now - m.observedAt);
    for (const hint of m.hints) this.#executor.offer(hint, now);
  }

  async #flush(): Promise<void> {
    const batches = this.#sampler.drain();
    const counts = this.#stats.samples;
    await Promise.all(
      batches.map((samples) =>
        this.#bus
          .publish(
            this.origin,
            encodePrefetchMessage({
              v: PREFETCH_MESSAGE_VERSION,
              kind: 'access',
              group: this.group,
              origin: this.origin,
              samples,
            }),
          )
          .then(
            () => {
              counts.published += samples.length;
            },
            () => {
              counts.failed += samples.length;
            },
          ),
      ),
    );
  }
}

/** Starts the prefetch loop for a cache (createCache calls this when the config has `prefetch`). */
export function attachPrefetch(core: CacheCore, option: PrefetchOption | undefined): void {
  if (option === undefined) return;
  core.prefetch = new PrefetchEngine(core, prefetchOptionSchema().parse(option));
}

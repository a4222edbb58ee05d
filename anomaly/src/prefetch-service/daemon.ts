/**
 * The prefetch daemon of the anomaly service: consumes the caches' sampled access stream (keys as keyed HMACs),
 * feeds one prefetch model per cache instance (its stream in its order: interleaving instances would blur the
 * transitions the models learn), and publishes the predicted keys back as hints (HMAC, confidence, deadline) on
 * the same transport. Every instance of the group receives the hints; the one that knows the key acts on it.
 */
import {
  type AccessMessage,
  decodePrefetchMessage,
  encodePrefetchMessage,
  MAX_PREFETCH_BATCH,
  PREFETCH_MESSAGE_VERSION,
  type PrefetchBus,
  type PrefetchHint,
} from 'omnicache';
import { BoundedMap } from '../prefetch/bounded-map.js';
import { createPrefetchModel, type PrefetchModelOptions } from '../prefetch/create.js';
import type { PrefetchModel, PrefetchModelName } from '../prefetch/model.js';

export interface PrefetchDaemonOptions {
  /** kafkaPrefetchBus(...) (omnicache/kafka) or redisPrefetchBus(...) (omnicache/redis). */
  bus: PrefetchBus;
  /** Cache group to serve (the caches' prefetch.group, default their cache name). */
  group: string;
  model?: PrefetchModelName;
  /** Default: the Markov model looks 2 steps ahead (further steps of a live stream are mostly noise). */
  modelOptions?: PrefetchModelOptions;
  /** Predictions asked of the model after each access (default 3). */
  maxHints?: number;
  /** Predictions below this confidence are not sent (default 0.3). */
  minConfidence?: number;
  /** A hint is worth acting on for this long (its deadline, ms; default 5000). */
  horizonMs?: number;
  /** The same key is not hinted again within this time (ms; default 2000). */
  repeatMs?: number;
  /** Cache instances (origins) followed at once, least recently heard dropped first (default 64). */
  maxOrigins?: number;
}

export interface PrefetchDaemonStats {
  /** Access messages processed. */
  messages: number;
  samples: number;
  /** Messages that did not parse. */
  rejected: number;
  hints: number;
  hintMessages: number;
  publishFailures: number;
  origins: number;
}

const SEP = '\u0001';
// A trailing separator keeps an HMAC that ends in digits from looking like a numbered key to the models.
const modelKey = (ns: string, k: string): string => `${ns}${SEP}${k}${SEP}`;
function splitModelKey(key: string): { ns: string; k: string } | undefined {
  const parts = key.split(SEP);
  return parts.length === 3 ? { ns: parts[0]!, k: parts[1]! } : undefined;
}

export class PrefetchDaemon {
  readonly #o: Required<Omit<PrefetchDaemonOptions, 'modelOptions'>> & { modelOptions: PrefetchModelOptions };
  /** One model per origin, least recently heard first (bounded by maxOrigins). */
  readonly #models = new Map<string, Promise<PrefetchModel>>();
  readonly #hinted: BoundedMap<string, number>;
  readonly #stats: PrefetchDaemonStats = {
    messages: 0,
    samples: 0,
    rejected: 0,
    hints: 0,
    hintMessages: 0,
    publishFailures: 0,
    origins: 0,
  };
  /** Messages are processed one after the other, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: PrefetchDaemonOptions) {
    this.#o = {
      model: 'markov',
      modelOptions: { markov: { lookahead: 2 } },
      maxHints: 3,
      minConfidence: 0.3,
      horizonMs: 5_000,
      repeatMs: 2_000,
      maxOrigins: 64,
      ...options,
    };
    this.#hinted = new BoundedMap(100_000);
  }

  /** Subscribes to the access stream; resolves once samples published from now on are consumed. */
  start(): Promise<void> {
    return this.#o.bus.start(this.#o.group, 'service', (payload) => {
      this.#queue = this.#queue.then(() => this.#received(payload)).catch(() => undefined);
    });
  }

  stats(): PrefetchDaemonStats {
    return { ...this.#stats, origins: this.#models.size };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#o.bus.close();
    for (const m of this.#models.values()) (await m).dispose();
    this.#models.clear();
  }

  #modelFor(origin: string): Promise<PrefetchModel> {
    const models = this.#models;
    let m = models.get(origin);
    if (m !== undefined) {
      models.delete(origin);
      models.set(origin, m);
      return m;
    }
    m = createPrefetchModel(this.#o.model, this.#o.modelOptions);
    models.set(origin, m);
    if (models.size > this.#o.maxOrigins) {
      const [oldest, model] = models.entries().next().value as [string, Promise<PrefetchModel>];
      models.delete(oldest);
      void model.then((x) => x.dispose());
    }
    return m;
  }

  async #received(payload: string | Uint8Array): Promise<void> {
    if (this.#closed) return;
    const r = decodePrefetchMessage(payload);
    if (!r.ok) {
      this.#stats.rejected++;
      return;
    }
    if (r.message.kind !== 'access' || r.message.group !== this.#o.group) return;
    await this.#process(r.message);
  }

  async #process(m: AccessMessage): Promise<void> {
    const o = this.#o;
    this.#stats.messages++;
    const mdl = await this.#modelFor(m.origin);
    const now = Date.now();
    const hints = new Map<string, PrefetchHint>();
    for (const s of m.samples) {
      this.#stats.samples++;
      const key = modelKey(s.ns, s.k);
      mdl.observe(
        s.s === undefined
          ? { key, time: s.t, hit: s.tier === 'l1' }
          : { key, time: s.t, hit: s.tier === 'l1', session: s.s },
      );
      // The key just accessed is where the cache is now: an earlier hint for it is no longer pending.
      hints.delete(key);
      for (const p of mdl.predict(o.maxHints)) {
        if (p.confidence < o.minConfidence) continue;
        const last = this.#hinted.peek(p.key);
        if (last !== undefined && now - last < o.repeatMs) continue;
        const parts = splitModelKey(p.key);
        if (parts === undefined) continue;
        const prev = hints.get(p.key);
        if (prev !== undefined && prev.confidence >= p.confidence) continue;
        hints.set(p.key, { ...parts, confidence: p.confidence, deadline: now + o.horizonMs });
      }
    }
    if (hints.size === 0) return;
    for (const key of hints.keys()) this.#hinted.set(key, now);
    const all = [...hints.values()];
    const observedAt = m.samples[m.samples.length - 1]!.t;
    for (let i = 0; i < all.length; i += MAX_PREFETCH_BATCH) {
      const batch = all.slice(i, i + MAX_PREFETCH_BATCH);
      try {
        await o.bus.publish(
          m.origin,
          encodePrefetchMessage({
            v: PREFETCH_MESSAGE_VERSION,
            kind: 'hints',
            group: o.group,
            origin: 'omnicache-anomaly',
            model: mdl.name,
            for: m.origin,
            observedAt,
            hints: batch,
          }),
        );
        this.#stats.hints += batch.length;
        this.#stats.hintMessages++;
      } catch {
        this.#stats.publishFailures++;
      }
    }
  }
}

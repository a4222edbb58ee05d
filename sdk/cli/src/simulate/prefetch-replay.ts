import {
  createPrefetchModel,
  PrefetchBudget,
  type PrefetchModel,
  type PrefetchModelOptions,
} from '@omnicache/anomaly/prefetch';
import { ArcPolicy, DenseIndex } from 'omnicache';
import type { KeyInterner } from './key-interner.js';
import { ShadowScorer } from './shadow-scorer.js';

export const PREFETCHERS = ['none', 'sequential', 'markov', 'tfjs'] as const;
export type Prefetcher = (typeof PREFETCHERS)[number];

export interface PrefetchExecutorOptions {
  /** Most prefetches issued after one access. Default 4. */
  maxDegree?: number;
  /** Predictions below this confidence are never issued. Default 0.5. */
  minConfidence?: number;
  /** Adapt the degree from used/wasted (PrefetchBudget); false issues maxDegree always. Default true. */
  adaptive?: boolean;
  /** Target precision of the budget. Default 0.5. */
  targetPrecision?: number;
  /** Model options (per model). */
  models?: PrefetchModelOptions;
}

export interface PrefetchResult {
  prefetcher: Prefetcher;
  capacity: number;
  accesses: number;
  demandHits: number;
  demandMisses: number;
  /** Demand hits / accesses. */
  hitRatio: number;
  /** Prefetches admitted into the cache. */
  issued: number;
  /** Prefetched keys demanded while resident. */
  used: number;
  /** Prefetched keys evicted before any demand. */
  wasted: number;
  /** used / issued (0 when nothing was issued). */
  precision: number;
  /** used / (used + demand misses): the share of would-be misses the prefetcher served. */
  coverage: number;
  /** 1 - demand misses / demand misses without prefetch (same trace and capacity). */
  missReduction: number;
  /** Hit ratio minus the hit ratio without prefetch, in points. */
  hitRatioDelta: number;
  /** The budget's degree at the end, and how often it backed off to a lower degree / resumed from 0. */
  finalDegree: number;
  backoffs: number;
  resumes: number;
  /** Replay time of this prefetcher (model + cache). */
  seconds: number;
}

const POLL_EVERY = 64;

/**
 * One cache (the core's ARC) fed the trace online, with one prefetcher: after each demand access the model observes
 * it, predicts, and up to `degree` predicted keys that are not resident are admitted through ARC's insertPrefetch
 * (into T1; never pushing out T2), counted against the capacity. A prediction is acted on before the next access
 * (prefetch latency is not modelled). The budget adapts the degree from ARC's used/wasted counts.
 */
export class PrefetchReplay {
  readonly arc: ArcPolicy<number>;
  private readonly budget: PrefetchBudget;
  private readonly shadow: ShadowScorer;
  private readonly minConfidence: number;
  private readonly maxDegree: number;
  private accesses = 0;
  private lastUsed = 0;
  private lastWasted = 0;
  private lastShadowUsed = 0;
  private lastShadowWasted = 0;
  private wasIssuing = true;
  seconds = 0;

  constructor(
    readonly prefetcher: Prefetcher,
    readonly capacity: number,
    readonly model: PrefetchModel | undefined,
    private readonly interner: KeyInterner,
    options: PrefetchExecutorOptions = {},
  ) {
    this.arc = new ArcPolicy<number>(capacity, new DenseIndex());
    this.maxDegree = options.maxDegree ?? 4;
    this.minConfidence = options.minConfidence ?? 0.5;
    const adaptive = options.adaptive ?? true;
    this.budget = new PrefetchBudget({
      maxDegree: this.maxDegree,
      targetPrecision: adaptive ? (options.targetPrecision ?? 0.5) : 0,
      growPrecision: adaptive ? undefined : 0,
      initialDegree: adaptive ? 1 : this.maxDegree,
    });
    this.shadow = new ShadowScorer(capacity, Math.min(1 << 16, capacity * this.maxDegree));
  }

  /** One demand access; returns whether it hit. */
  access(key: string, id: number): boolean {
    const now = this.accesses++;
    const hit = this.arc.access(id);
    const model = this.model;
    if (model === undefined) return hit;
    this.shadow.demand(id, now);
    model.observe({ key, time: now, hit });
    if (now % POLL_EVERY === 0) this.poll();
    const degree = this.budget.degree;
    const issuing = degree > 0;
    if (issuing !== this.wasIssuing) {
      this.wasIssuing = issuing;
      this.shadow.reset();
    }
    const predictions = model.predict(issuing ? degree : this.maxDegree);
    let issued = 0;
    for (const p of predictions) {
      if (p.confidence < this.minConfidence) break;
      const pid = this.interner.id(p.key);
      if (this.arc.has(pid)) continue;
      if (issuing) {
        if (this.arc.insertPrefetch(pid) >= 0 && ++issued >= degree) break;
      } else this.shadow.predicted(pid, now);
    }
    return hit;
  }

  private poll(): void {
    const c = this.arc.prefetchCounters();
    this.budget.outcome(c.used - this.lastUsed, c.wasted - this.lastWasted);
    this.lastUsed = c.used;
    this.lastWasted = c.wasted;
    const s = this.shadow;
    this.budget.shadowOutcome(s.used - this.lastShadowUsed, s.wasted - this.lastShadowWasted);
    this.lastShadowUsed = s.used;
    this.lastShadowWasted = s.wasted;
  }

  result(baseline: { demandMisses: number; hitRatio: number } | undefined): PrefetchResult {
    const snap = this.arc.snapshot();
    const c = this.arc.prefetchCounters();
    const accesses = snap.hits + snap.misses;
    const hitRatio = accesses === 0 ? 0 : snap.hits / accesses;
    const base = baseline ?? { demandMisses: snap.misses, hitRatio };
    return {
      prefetcher: this.prefetcher,
      capacity: this.capacity,
      accesses,
      demandHits: snap.hits,
      demandMisses: snap.misses,
      hitRatio,
      issued: c.issued,
      used: c.used,
      wasted: c.wasted,
      precision: c.issued === 0 ? 0 : c.used / c.issued,
      coverage: c.used + snap.misses === 0 ? 0 : c.used / (c.used + snap.misses),
      missReduction: base.demandMisses === 0 ? 0 : 1 - snap.misses / base.demandMisses,
      hitRatioDelta: 100 * (hitRatio - base.hitRatio),
      finalDegree: this.model ? this.budget.degree : 0,
      backoffs: this.budget.backoffs,
      resumes: this.budget.resumes,
      seconds: this.seconds,
    };
  }

  dispose(): void {
    this.model?.dispose();
  }
}

/** Creates the replay for one prefetcher (its model, if any, fresh: it has seen nothing). */
export async function createPrefetchReplay(
  prefetcher: Prefetcher,
  capacity: number,
  interner: KeyInterner,
  options: PrefetchExecutorOptions = {},
): Promise<PrefetchReplay> {
  const model =
    prefetcher === 'none'
      ? undefined
      : await createPrefetchModel(prefetcher, defaultModelOptions(capacity, options));
  return new PrefetchReplay(prefetcher, capacity, model, interner, options);
}

function defaultModelOptions(capacity: number, options: PrefetchExecutorOptions): PrefetchModelOptions {
  return {
    ...options.models,
    // The model lives in the anomaly service, not in the cache: it may remember transitions of more keys than the
    // cache holds (8x, at least 4,096 contexts).
    markov: { maxContexts: Math.max(4096, 8 * capacity), ...options.models?.markov },
  };
}

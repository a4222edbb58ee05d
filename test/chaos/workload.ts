// The chaos workload: concurrent workers on several cache instances (sharing their remote tiers, as processes
// would) doing mixed getOrSet / get / set against a reference model, while a fault script breaks a real server.
// Checked on every call, as it completes:
// - no error reaches the caller (unless the scenario allows that kind, e.g. a failing loader with nothing stale);
// - its latency (reported as percentiles, and counted against the call's budget);
// - the value is one that was written or loaded for that key (key, version within what was issued, payload intact);
// - it is not stale past the bound: no newer version of the key had been committed (its set() returned) more
//   than `staleBoundMs` before the call started.
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Cache, CacheEvent } from '../../sdk/core/src/index.js';

export interface Versioned {
  k: string;
  v: number;
  pad: string;
}

export function payload(key: string, v: number, bytes: number): Versioned {
  const unit = `${key}#${v}|`;
  return { k: key, v, pad: unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes) };
}

/** The system of record: writers change it first, the loader reads it. Keeps when each version's set() returned. */
export class Reference {
  readonly #issued = new Map<string, number>();
  readonly #committed = new Map<string, number[]>();

  current(key: string): number {
    return this.#issued.get(key) ?? 0;
  }

  issue(key: string): number {
    const v = this.current(key) + 1;
    this.#issued.set(key, v);
    return v;
  }

  commit(key: string, v: number, at: number): void {
    let list = this.#committed.get(key);
    if (list === undefined) {
      list = [];
      this.#committed.set(key, list);
    }
    list[v] = at;
  }

  /** The earliest time a version of `key` newer than `v` was committed; Infinity if none was. */
  supersededAt(key: string, v: number): number {
    const list = this.#committed.get(key);
    let min = Number.POSITIVE_INFINITY;
    if (list === undefined) return min;
    for (let w = v + 1; w < list.length; w++) {
      const t = list[w];
      if (t !== undefined && t < min) min = t;
    }
    return min;
  }
}

export type Op = 'getOrSet' | 'get' | 'set';

export interface WorkloadOptions {
  /** Cache instances sharing their remote tiers (each stands for a process). */
  caches: readonly Cache[];
  ref: Reference;
  keys: number;
  workersPerCache: number;
  durationMs: number;
  mix: Record<Op, number>;
  /** Loader time (ms) before it reads the reference. */
  loaderMs: number;
  padBytes: number;
  /** Latency budget of one call, ms. */
  budgetMs: number;
  staleBoundMs: number;
  /** Replaces the default loader (which waits loaderMs and returns the reference's current version). */
  loader?: (key: string) => Promise<Versioned>;
  /** Errors a caller may get in this scenario (default: none). */
  allowedError?: (error: unknown) => boolean;
  /** The fault schedule, run alongside the workload; `elapsed()` is ms since the workload started. */
  script?: (elapsed: () => number) => Promise<void>;
  /** When set, the load also goes on until the script is done, and this long after it. */
  tailMs?: number;
  /** Pause between two calls of a worker, ms (default 1): bounded load. */
  thinkMs?: number;
}

export interface Bucket {
  atMs: number;
  ops: number;
  errors: number;
  allowedErrors: number;
  p99Ms: number;
}

export interface WorkloadReport {
  ops: number;
  byOp: Record<Op, number>;
  errors: number;
  errorSamples: string[];
  allowedErrors: number;
  latency: { p50: number; p99: number; max: number; overBudget: number; budgetMs: number };
  wrong: number;
  wrongSamples: string[];
  stale: number;
  staleSamples: string[];
  /** Largest staleness seen on a read (ms a newer version had been committed before the read started). */
  maxStalenessMs: number;
  /** Per 500 ms of the run. */
  timeline: Bucket[];
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const BUCKET_MS = 500;

export async function runWorkload(o: WorkloadOptions): Promise<WorkloadReport> {
  const { ref } = o;
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  let end = t0 + o.durationMs;
  let scriptDone = o.tailMs === undefined;
  const latencies: number[] = [];
  const buckets: { ops: number; errors: number; allowed: number; lat: number[] }[] = [];
  const byOp: Record<Op, number> = { getOrSet: 0, get: 0, set: 0 };
  const report = {
    errors: 0,
    errorSamples: [] as string[],
    allowedErrors: 0,
    wrong: 0,
    wrongSamples: [] as string[],
    stale: 0,
    staleSamples: [] as string[],
    maxStalenessMs: 0,
  };
  const sample = (list: string[], s: string) => {
    if (list.length < 10) list.push(s);
  };
  const total = o.mix.getOrSet + o.mix.get + o.mix.set;
  const pickOp = (): Op => {
    const r = Math.random() * total;
    if (r < o.mix.getOrSet) return 'getOrSet';
    if (r < o.mix.getOrSet + o.mix.get) return 'get';
    return 'set';
  };
  const loader =
    o.loader ??
    (async (key: string) => {
      if (o.loaderMs > 0) await sleep(o.loaderMs);
      return payload(key, ref.current(key), o.padBytes);
    });

  const check = (key: string, value: unknown, started: number, what: string) => {
    if (value === undefined) return;
    const v = value as Partial<Versioned> | null;
    const issued = ref.current(key);
    if (
      v === null ||
      typeof v !== 'object' ||
      v.k !== key ||
      typeof v.v !== 'number' ||
      !Number.isInteger(v.v) ||
      v.v < 0 ||
      v.v > issued ||
      v.pad !== payload(key, v.v, o.padBytes).pad
    ) {
      report.wrong++;
      sample(
        report.wrongSamples,
        `${what}(${key}) -> ${JSON.stringify(value).slice(0, 120)} (issued ${issued})`,
      );
      return;
    }
    const since = started - ref.supersededAt(key, v.v);
    if (since > report.maxStalenessMs) report.maxStalenessMs = since;
    if (since > o.staleBoundMs) {
      report.stale++;
      sample(
        report.staleSamples,
        `${what}(${key}) -> v${v.v}, newer committed ${since.toFixed(0)} ms before the call`,
      );
    }
  };

  const worker = async (cache: Cache) => {
    while (performance.now() < end || !scriptDone) {
      const key = `k${Math.floor(Math.random() * o.keys)}`;
      const op = pickOp();
      const started = performance.now();
      let failed = false;
      let allowed = false;
      try {
        if (op === 'set') {
          const v = ref.issue(key);
          await cache.set(key, payload(key, v, o.padBytes));
          ref.commit(key, v, performance.now());
        } else if (op === 'get') {
          check(key, await cache.get(key), started, op);
        } else {
          check(key, await cache.getOrSet(key, () => loader(key)), started, op);
        }
      } catch (error) {
        if (o.allowedError?.(error)) {
          allowed = true;
          report.allowedErrors++;
        } else {
          failed = true;
          report.errors++;
          sample(report.errorSamples, `${op}(${key}) at ${(started - t0).toFixed(0)} ms: ${String(error)}`);
        }
      }
      const ms = performance.now() - started;
      latencies.push(ms);
      byOp[op]++;
      const b = Math.floor((started - t0) / BUCKET_MS);
      while (buckets.length <= b) buckets.push({ ops: 0, errors: 0, allowed: 0, lat: [] });
      const bucket = buckets[b]!;
      bucket.ops++;
      bucket.lat.push(ms);
      if (failed) bucket.errors++;
      if (allowed) bucket.allowed++;
      await sleep(o.thinkMs ?? 1);
    }
  };

  const workers: Promise<void>[] = [];
  for (const cache of o.caches) for (let i = 0; i < o.workersPerCache; i++) workers.push(worker(cache));
  const script = (o.script?.(elapsed) ?? Promise.resolve()).finally(() => {
    if (o.tailMs !== undefined) end = Math.max(end, performance.now() + o.tailMs);
    scriptDone = true;
  });
  await Promise.all([...workers, script]);

  const sorted = latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    byOp,
    ...report,
    latency: {
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
      overBudget: sorted.filter((ms) => ms > o.budgetMs).length,
      budgetMs: o.budgetMs,
    },
    timeline: buckets.map((b, i) => ({
      atMs: i * BUCKET_MS,
      ops: b.ops,
      errors: b.errors,
      allowedErrors: b.allowed,
      p99Ms: Math.round(
        quantile(
          b.lat.sort((x, y) => x - y),
          0.99,
        ),
      ),
    })),
  };
}

/** Waits until `elapsed()` reaches `ms`. */
export async function at(elapsed: () => number, ms: number): Promise<void> {
  while (elapsed() < ms) await sleep(Math.min(20, ms - elapsed()));
}

export interface CircuitChange {
  cache: string;
  tier: string;
  from: string;
  to: string;
}

/** Records the circuit transitions of the caches' remote tiers. */
export function watchCircuits(caches: readonly Cache[]): CircuitChange[] {
  const changes: CircuitChange[] = [];
  caches.forEach((cache, i) => {
    cache.events.on('circuit', (e: CacheEvent) => {
      if (e.type === 'circuit') changes.push({ cache: String(i), tier: e.tier, from: e.from, to: e.to });
    });
  });
  return changes;
}

let gcFn: (() => void) | undefined;
/** heapUsed (bytes) after a full collection. */
export function heapAfterGc(): number {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  return process.memoryUsage().heapUsed;
}

/** One line for the test log: what the run measured. */
export function summary(name: string, r: WorkloadReport, extra: Record<string, unknown> = {}): string {
  return `[chaos ${name}] ${JSON.stringify({
    ops: r.ops,
    byOp: r.byOp,
    errors: r.errors,
    allowedErrors: r.allowedErrors,
    wrong: r.wrong,
    stale: r.stale,
    maxStalenessMs: Math.round(r.maxStalenessMs),
    p50: +r.latency.p50.toFixed(1),
    p99: +r.latency.p99.toFixed(1),
    max: +r.latency.max.toFixed(1),
    overBudget: r.latency.overBudget,
    budgetMs: r.latency.budgetMs,
    ...extra,
  })}\n`;
}

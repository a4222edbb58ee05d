// Drives SDK instances in child processes (fixtures/bus-worker.mjs) and checks, from their answers, that no
// instance serves a value an invalidation or a newer write made old, later than a bound after that
// invalidation/write returned. Times are taken in this process: an operation's start is when the request was
// sent (no later than the child started it) and its end when the answer arrived (no earlier than it ended), so
// every measured staleness is a lower bound of the real one and every violation is real.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fixtures/bus-worker.mjs', import.meta.url));

export interface WorkerConfig {
  transport: 'redis' | 'redis-cluster' | 'kafka';
  cacheName: string;
  l2Url: string;
  busUrl?: string;
  broker?: string;
  clusterNodes?: { host: string; port: number }[];
  tierTimeoutMs: number;
  reorderWindowMs?: number;
}

export class BusWorker {
  readonly #proc: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;
  readonly ready: Promise<string>;

  constructor(config: WorkerConfig) {
    this.#proc = fork(WORKER, [JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    this.ready = new Promise((resolve, reject) => {
      this.#proc.once('exit', (code) => reject(new Error(`bus worker exited with code ${code}`)));
      this.#proc.on(
        'message',
        (m: { ready?: boolean; origin?: string; id?: number; value?: unknown; error?: string }) => {
          if (m.ready) {
            resolve(m.origin ?? '');
            return;
          }
          const p = this.#pending.get(m.id ?? -1);
          if (p === undefined) return;
          this.#pending.delete(m.id ?? -1);
          if (m.error !== undefined) p.reject(new Error(m.error));
          else p.resolve(m.value);
        },
      );
    });
  }

  call<T = unknown>(op: string, key?: string, value?: unknown): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#proc.send({ id, op, key, value });
    });
  }

  async close(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const exited = new Promise((r) => this.#proc.once('exit', r));
    await Promise.race([this.call('close'), new Promise((r) => setTimeout(r, 5_000))]);
    this.#proc.kill('SIGKILL');
    await exited;
  }
}

interface Timed {
  start: number;
  end: number;
}
interface Write extends Timed {
  version: number;
}
interface Invalidation extends Timed {
  /** Every version written (and returned) before this invalidation started is old once it returns. */
  threshold: number;
}
interface Read extends Timed {
  worker: number;
  key: string;
  version: number | undefined;
}

export interface Outage {
  down: number;
  up: number;
}

export interface WorkloadLog {
  writes: Map<string, Write[]>;
  invalidations: Map<string, Invalidation[]>;
  reads: Read[];
  ops: number;
}

/**
 * Random gets, sets, invalidations and deletes from every worker, one at a time per worker, for `durationMs`, and
 * (with `during`, e.g. a broker restart) at least `tailMs` after `during` finished.
 */
export async function runWorkload(
  workers: readonly BusWorker[],
  durationMs: number,
  keys: number,
  during?: (elapsedMs: () => number) => Promise<void>,
  tailMs = 0,
): Promise<WorkloadLog> {
  const log: WorkloadLog = { writes: new Map(), invalidations: new Map(), reads: [], ops: 0 };
  let version = 0;
  const t0 = performance.now();
  let end = t0 + durationMs;
  const now = () => performance.now();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [v]);
    else list.push(v);
  };
  const maxWritten = (key: string, before: number) => {
    let max = 0;
    for (const w of log.writes.get(key) ?? []) if (w.end < before && w.version > max) max = w.version;
    return max;
  };
  let sideDone = during === undefined;
  const side = during?.(() => now() - t0).then(() => {
    end = Math.max(end, now() + tailMs);
    sideDone = true;
  });
  await Promise.all(
    workers.map(async (w, wi) => {
      while (now() < end || !sideDone) {
        const key = `k${Math.floor(Math.random() * keys)}`;
        const r = Math.random();
        const start = now();
        log.ops++;
        if (r < 0.55) {
          const v = await w.call<string | null>('get', key);
          log.reads.push({
            worker: wi,
            key,
            start,
            end: now(),
            version: v === null ? undefined : Number(v.slice(1)),
          });
        } else if (r < 0.78) {
          const v = ++version;
          await w.call('set', key, `v${v}`);
          push(log.writes, key, { start, end: now(), version: v });
        } else {
          const threshold = maxWritten(key, start);
          await w.call(r < 0.95 ? 'invalidate' : 'delete', key);
          push(log.invalidations, key, { start, end: now(), threshold });
        }
        await new Promise((res) => setTimeout(res, Math.random() * 2));
      }
    }),
  );
  await side;
  return log;
}

export interface StalenessReport {
  reads: number;
  /** Reads that returned a value already made old (by an invalidation or a newer write) when the read started. */
  staleReads: number;
  /** Largest time between "made old" and a read that still returned it (ms), outside outages. */
  maxStalenessMs: number;
  /** The same for values made old around an outage of the bus (see clock below), measured from when it was back. */
  maxStalenessAfterOutageMs: number;
  violations: string[];
}

/**
 * A read returning version v is stale when, before the read started, an invalidation of the key returned whose
 * threshold is >= v, or a write of a newer version returned that started after v's write had returned.
 * It violates the bound when that happened more than `boundMs` before the read started (for what happened during
 * an outage: `outageBoundMs` after the bus came back).
 */
export function checkStaleness(
  log: WorkloadLog,
  boundMs: number,
  outages: readonly Outage[] = [],
  outageBoundMs = boundMs,
  /** How long after the server is back clients may still be reconnecting (what becomes old then gets the outage bound). */
  recoveryMs = outageBoundMs,
): StalenessReport {
  const report: StalenessReport = {
    reads: log.reads.length,
    staleReads: 0,
    maxStalenessMs: 0,
    maxStalenessAfterOutageMs: 0,
    violations: [],
  };
  /**
   * When the bound starts for something that became old at `t`, and which bound applies: around an outage (from
   * just before it until `recoveryMs` after the server was back), the outage bound, counted from the moment the
   * server was back.
   */
  const clock = (t: number): { from: number; bound: number; outage: boolean } => {
    for (const o of outages) {
      if (t + boundMs > o.down && t < o.up + recoveryMs) {
        return { from: Math.max(t, o.up), bound: outageBoundMs, outage: true };
      }
    }
    return { from: t, bound: boundMs, outage: false };
  };
  for (const read of log.reads) {
    const v = read.version;
    if (v === undefined) continue;
    const writes = log.writes.get(read.key) ?? [];
    const own = writes.find((w) => w.version === v);
    let madeOldAt = Number.POSITIVE_INFINITY;
    for (const inv of log.invalidations.get(read.key) ?? []) {
      if (inv.threshold >= v && inv.end < read.start) madeOldAt = Math.min(madeOldAt, inv.end);
    }
    if (own !== undefined) {
      for (const w of writes) {
        if (w.version > v && w.start > own.end && w.end < read.start) madeOldAt = Math.min(madeOldAt, w.end);
      }
    }
    if (madeOldAt === Number.POSITIVE_INFINITY) continue;
    report.staleReads++;
    const c = clock(madeOldAt);
    const staleness = read.start - c.from;
    if (c.outage) report.maxStalenessAfterOutageMs = Math.max(report.maxStalenessAfterOutageMs, staleness);
    else report.maxStalenessMs = Math.max(report.maxStalenessMs, staleness);
    if (staleness > c.bound) {
      report.violations.push(
        `worker ${read.worker} read ${read.key}=v${v} ${staleness.toFixed(1)} ms after it was made old${c.outage ? ' (after an outage ended)' : ''}`,
      );
    }
  }
  return report;
}

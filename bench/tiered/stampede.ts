// Stampede: PROCESSES forked workers x CALLS concurrent getOrSet on one cold key; the loader counts its calls in Redis.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { median } from '../lib/stats.js';
import type { Endpoint } from './libs.js';
import { type FromWorker, STAMPEDE_LIBS, type StampedeLib, type ToWorker } from './stampede-protocol.js';

const WORKER = fileURLToPath(new URL('./stampede-worker.ts', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
const STEP_TIMEOUT_MS = 30_000;

export interface StampedeRound {
  lib: StampedeLib;
  round: number;
  loaderCalls: number;
  distinctValues: number;
  errors: number;
  /** Per process: median and slowest time from the start to a resolved getOrSet, ms. */
  p50Ms: number[];
  maxMs: number[];
}

export interface StampedeResults {
  processes: number;
  callsPerProcess: number;
  loaderMs: number;
  rounds: StampedeRound[];
  rows: {
    lib: StampedeLib;
    loaderCalls: number[];
    medianCalls: number;
    distinctValues: number[];
    errors: number;
    p50Ms: number;
    maxMs: number;
  }[];
}

class Worker {
  readonly child: ChildProcess;
  readonly #queue: FromWorker[] = [];
  #waiting: ((m: FromWorker) => void) | undefined;
  #exited: string | undefined;

  constructor() {
    this.child = fork(WORKER, [], {
      cwd: BENCH_DIR,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromWorker) => {
      const w = this.#waiting;
      if (w) {
        this.#waiting = undefined;
        w(m);
      } else this.#queue.push(m);
    });
    this.child.on('exit', (code, signal) => {
      this.#exited = `stampede worker ${this.child.pid} exited (${signal ?? code})`;
      this.#waiting?.({ type: 'error', message: this.#exited });
    });
  }

  send(m: ToWorker): void {
    this.child.send(m);
  }

  /** The next message; throws on a worker error, an exit or a timeout. */
  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    let timer: NodeJS.Timeout | undefined;
    const m = await new Promise<FromWorker>((resolve) => {
      const queued = this.#queue.shift();
      if (queued) return resolve(queued);
      if (this.#exited) return resolve({ type: 'error', message: this.#exited });
      this.#waiting = resolve;
      timer = setTimeout(() => {
        this.#waiting = undefined;
        resolve({
          type: 'error',
          message: `stampede worker ${this.child.pid}: no "${type}" within ${STEP_TIMEOUT_MS} ms`,
        });
      }, STEP_TIMEOUT_MS);
    });
    clearTimeout(timer);
    if (m.type === 'error') throw new Error(m.message);
    if (m.type !== type)
      throw new Error(`stampede worker ${this.child.pid}: expected "${type}", got "${m.type}"`);
    return m as Extract<FromWorker, { type: T }>;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export async function stampede(
  ep: Endpoint,
  processes: number,
  callsPerProcess: number,
  loaderMs: number,
  rounds: number,
): Promise<StampedeResults> {
  const client = new Redis({ host: ep.host, port: ep.port });
  const workers = Array.from({ length: processes }, () => new Worker());
  const results: StampedeRound[] = [];
  try {
    await Promise.all(workers.map((w) => w.next('started')));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < STAMPEDE_LIBS.length; i++) {
        const lib = STAMPEDE_LIBS[(i + round) % STAMPEDE_LIBS.length]!;
        const id = randomBytes(4).toString('hex');
        const name = `bench-stampede-${round}-${i}-${id}`;
        const counterKey = `${name}:loader-calls`;
        for (const w of workers) {
          w.send({
            type: 'prepare',
            lib,
            ep,
            name,
            key: 'cold-key',
            counterKey,
            calls: callsPerProcess,
            loaderMs,
          });
        }
        await Promise.all(workers.map((w) => w.next('ready')));
        const startAt = Date.now() + 200;
        for (const w of workers) w.send({ type: 'go', startAt });
        const done = await Promise.all(workers.map((w) => w.next('done')));
        const distinct = new Set(done.flatMap((d) => d.distinct));
        results.push({
          lib,
          round,
          loaderCalls: Number((await client.get(counterKey)) ?? 0),
          distinctValues: distinct.size,
          errors: done.reduce((n, d) => n + d.errors, 0),
          p50Ms: done.map((d) => d.p50Ms),
          maxMs: done.map((d) => d.maxMs),
        });
        const last = results.at(-1)!;
        process.stderr.write(
          `  stampede round ${round + 1}/${rounds} ${lib}: ${last.loaderCalls} loader call(s), ${last.distinctValues} distinct value(s)\n`,
        );
      }
    }
  } finally {
    for (const w of workers) w.stop();
    await client.quit().catch(() => undefined);
  }
  const rows = STAMPEDE_LIBS.map((lib) => {
    const mine = results.filter((r) => r.lib === lib);
    const calls = mine.map((r) => r.loaderCalls);
    return {
      lib,
      loaderCalls: calls,
      medianCalls: median(calls),
      distinctValues: mine.map((r) => r.distinctValues),
      errors: mine.reduce((n, r) => n + r.errors, 0),
      p50Ms: median(mine.flatMap((r) => r.p50Ms)),
      maxMs: median(mine.map((r) => Math.max(...r.maxMs))),
    };
  });
  return { processes, callsPerProcess, loaderMs, rounds: results, rows };
}

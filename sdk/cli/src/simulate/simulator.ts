import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ArcTimeline, SimulationResult, SimulationSpec } from './replay-engine.js';
import { ReplayEngine } from './replay-engine.js';
import type { FromWorker, ReplayWorkerData, ToWorker } from './replay-worker.js';
import type { TraceFormat } from './trace-format.js';
import { readTrace } from './trace-reader.js';

export interface SimulationOptions {
  file: string;
  format: TraceFormat;
  specs: readonly SimulationSpec[];
  /** Sample ARC's p and list sizes along the trace (for --chart). */
  sampleArc?: boolean;
  /** Worker threads; 1 replays on the calling thread. Default: min(specs, available cores). */
  threads?: number;
  onBytes?: (read: number, total: number) => void;
}

export interface SimulationReport {
  trace: string;
  accesses: number;
  results: SimulationResult[];
  timelines: ArcTimeline[];
}

const MAX_IN_FLIGHT = 8;

interface WorkerState {
  worker: Worker;
  group: { spec: SimulationSpec; index: number }[];
  inFlight: number;
  wake: (() => void) | undefined;
  failure: Error | undefined;
}

/** One pass over the trace feeding every requested policy and capacity; policies are spread over worker threads. */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), options.specs.length));
  const sampleArc = options.sampleArc ?? false;
  let accesses = 0;
  if (threads === 1) {
    const engine = new ReplayEngine(options.specs, sampleArc);
    for await (const chunk of readTrace(options.file, options.format, { onBytes: options.onBytes })) {
      engine.feed(chunk.ids, chunk.length);
      accesses += chunk.length;
    }
    return { trace: options.file, accesses, results: engine.results(), timelines: engine.timelines() };
  }

  // Largest capacities are the most expensive: deal them round-robin so each worker gets a mix.
  const order = options.specs
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => b.spec.capacity - a.spec.capacity);
  const groups: { spec: SimulationSpec; index: number }[][] = Array.from({ length: threads }, () => []);
  order.forEach((entry, i) => {
    groups[i % threads]!.push(entry);
  });

  const workers = groups.map((group) => {
    const data: ReplayWorkerData = { specs: group.map((g) => g.spec), sampleArc };
    const worker = new Worker(new URL('./replay-worker.js', import.meta.url), { workerData: data });
    const state: WorkerState = { worker, group, inFlight: 0, wake: undefined, failure: undefined };
    const done = new Promise<Extract<FromWorker, { type: 'done' }>>((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ack') {
          state.inFlight--;
          state.wake?.();
        } else resolve(msg);
      });
      worker.on('error', (err) => {
        state.failure = err;
        state.wake?.();
        reject(err);
      });
    });
    done.catch(() => undefined);
    return { state, done };
  });

  try {
    const allocate = (n: number) => new Int32Array(new SharedArrayBuffer(n * 4));
    for await (const chunk of readTrace(options.file, options.format, {
      onBytes: options.onBytes,
      allocate,
    })) {
      for (const w of workers) {
        while (w.state.inFlight >= MAX_IN_FLIGHT && !w.state.failure) {
          await new Promise<void>((resolve) => {
            w.state.wake = resolve;
          });
        }
        if (w.state.failure) throw w.state.failure;
        w.state.inFlight++;
        w.state.worker.postMessage({
          type: 'chunk',
          ids: chunk.ids,
          length: chunk.length,
        } satisfies ToWorker);
      }
      accesses += chunk.length;
    }
    for (const w of workers) w.state.worker.postMessage({ type: 'end' } satisfies ToWorker);
    const outputs = await Promise.all(workers.map((w) => w.done));
    const results: SimulationResult[] = new Array(options.specs.length);
    const timelines: ArcTimeline[] = [];
    outputs.forEach((out, wi) => {
      out.results.forEach((r, i) => {
        results[workers[wi]!.state.group[i]!.index] = r;
      });
      timelines.push(...out.timelines);
    });
    timelines.sort((a, b) => a.capacity - b.capacity);
    return { trace: options.file, accesses, results, timelines };
  } finally {
    await Promise.all(workers.map((w) => w.state.worker.terminate()));
  }
}

import { parentPort, workerData } from 'node:worker_threads';
import { ReplayEngine, type SimulationSpec } from './replay-engine.js';

/** Messages between simulate's main thread (trace reader) and a replay worker. */
export type ToWorker = { type: 'chunk'; ids: Int32Array; length: number } | { type: 'end' };
export type FromWorker =
  | { type: 'ack' }
  | {
      type: 'done';
      results: ReturnType<ReplayEngine['results']>;
      timelines: ReturnType<ReplayEngine['timelines']>;
    };

export interface ReplayWorkerData {
  specs: SimulationSpec[];
  sampleArc: boolean;
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as ReplayWorkerData;
  const engine = new ReplayEngine(data.specs, data.sampleArc);
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'chunk') {
      engine.feed(msg.ids, msg.length);
      port.postMessage({ type: 'ack' } satisfies FromWorker);
    } else {
      port.postMessage({
        type: 'done',
        results: engine.results(),
        timelines: engine.timelines(),
      } satisfies FromWorker);
    }
  });
}

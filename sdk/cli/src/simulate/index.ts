export { renderArcChart } from './chart-svg.js';
export { KeyInterner } from './key-interner.js';
export {
  createPrefetchReplay,
  PREFETCHERS,
  type PrefetchExecutorOptions,
  type Prefetcher,
  PrefetchReplay,
  type PrefetchResult,
} from './prefetch-replay.js';
export {
  type PrefetchSimulationOptions,
  type PrefetchSimulationReport,
  simulatePrefetch,
} from './prefetch-simulator.js';
export type { ArcTimeline, SimulationResult, SimulationSpec } from './replay-engine.js';
export { type SimulationOptions, type SimulationReport, simulate } from './simulator.js';
export { TRACE_FORMATS, TraceError, type TraceFormat } from './trace-format.js';
export { readTrace, type TraceChunk, type TraceReaderOptions } from './trace-reader.js';

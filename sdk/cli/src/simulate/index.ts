export { renderArcChart } from './chart-svg.js';
export type { ArcTimeline, SimulationResult, SimulationSpec } from './replay-engine.js';
export { type SimulationOptions, type SimulationReport, simulate } from './simulator.js';
export { TRACE_FORMATS, TraceError, type TraceFormat } from './trace-format.js';
export { readTrace, type TraceChunk, type TraceReaderOptions } from './trace-reader.js';

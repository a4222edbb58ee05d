import { OmniCacheError } from 'omnicache';

export const TRACE_FORMATS = ['arc', 'lirs', 'keys'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function parseTraceFormat(value: string): TraceFormat {
  if ((TRACE_FORMATS as readonly string[]).includes(value)) return value as TraceFormat;
  throw new TraceError(`unknown trace format "${value}"; valid formats: ${TRACE_FORMATS.join(', ')}`);
}

/** A trace file cannot be read or has a malformed line (the message names file and line). */
export class TraceError extends OmniCacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMNICACHE_TRACE', message, options);
  }
}

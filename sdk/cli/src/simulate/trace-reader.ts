import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { TraceError, type TraceFormat } from './trace-format.js';

export interface TraceReaderOptions {
  /** Accesses per chunk handed to the caller. */
  chunkSize?: number;
  /** Called as compressed/plain bytes are consumed, for progress display. */
  onBytes?: (read: number, total: number) => void;
  /** Returns the buffer for the next chunk (lets the caller recycle or share buffers). */
  allocate?: (size: number) => Int32Array;
  /** Also yield each access's original key as a string (block numbers in decimal), for prefetch models. */
  withKeys?: boolean;
}

export interface TraceChunk {
  ids: Int32Array;
  length: number;
  /** The original keys (only with `withKeys`). */
  keys?: string[];
}

const INTEGER = /^\d+$/;

/**
 * Streams a trace (plain or .gz) and yields chunks of accesses, each key remapped to a dense integer id
 * (0, 1, 2, ... in order of first appearance) so policies can index typed arrays instead of hashing.
 * Memory is bounded by the number of distinct keys, never by the trace length.
 */
export async function* readTrace(
  file: string,
  format: TraceFormat,
  options: TraceReaderOptions = {},
): AsyncGenerator<TraceChunk> {
  const chunkSize = options.chunkSize ?? 1 << 16;
  const allocate = options.allocate ?? ((n: number) => new Int32Array(n));
  let total: number;
  try {
    total = (await stat(file)).size;
  } catch (cause) {
    throw new TraceError(`cannot read trace file ${file}: ${(cause as Error).message}`, { cause });
  }
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= new TraceError(`cannot read trace file ${file}: ${err.message}`, { cause: err });
    input.destroy();
  };
  raw.on('error', fail);
  if (input !== raw) input.on('error', fail);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });

  const ids = new Map<string | number, number>();
  const idOf = (key: string | number): number => {
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
  let chunk = allocate(chunkSize);
  const withKeys = options.withKeys ?? false;
  let keys: string[] = withKeys ? new Array<string>(chunkSize) : [];
  let length = 0;
  let lineNo = 0;
  let lastReport = 0;
  const malformed = (why: string, line: string): TraceError =>
    new TraceError(`${file}:${lineNo}: malformed ${format} trace line "${line.slice(0, 80)}": ${why}`);

  try {
    for await (const line of lines) {
      lineNo++;
      if (line.length === 0 || line.trim().length === 0) continue;
      if (format === 'arc') {
        const fields = line.trim().split(/\s+/);
        if (fields.length !== 4 || !fields.every((f) => INTEGER.test(f))) {
          throw malformed('expected four non-negative integers "startblock numblocks ignore reqno"', line);
        }
        const start = Number(fields[0]);
        const count = Number(fields[1]);
        if (count < 1) throw malformed('numblocks must be at least 1', line);
        for (let b = start; b < start + count; b++) {
          if (withKeys) keys[length] = String(b);
          chunk[length++] = idOf(b);
          if (length === chunkSize) {
            yield withKeys ? { ids: chunk, length, keys } : { ids: chunk, length };
            chunk = allocate(chunkSize);
            if (withKeys) keys = new Array<string>(chunkSize);
            length = 0;
          }
        }
      } else {
        if (format === 'lirs' && line.startsWith('*')) continue;
        const key = line.trim();
        if (format === 'lirs' && !INTEGER.test(key))
          throw malformed('expected one integer key per line', line);
        if (withKeys) keys[length] = format === 'lirs' ? String(Number(key)) : key;
        chunk[length++] = idOf(format === 'lirs' ? Number(key) : key);
        if (length === chunkSize) {
          yield withKeys ? { ids: chunk, length, keys } : { ids: chunk, length };
          chunk = allocate(chunkSize);
          if (withKeys) keys = new Array<string>(chunkSize);
          length = 0;
        }
      }
      if (options.onBytes && raw.bytesRead - lastReport > 1 << 20) {
        lastReport = raw.bytesRead;
        options.onBytes(raw.bytesRead, total);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (failure) throw failure;
  if (length > 0) yield withKeys ? { ids: chunk, length, keys } : { ids: chunk, length };
  options.onBytes?.(total, total);
}

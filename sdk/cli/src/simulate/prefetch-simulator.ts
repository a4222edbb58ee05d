import { KeyInterner } from './key-interner.js';
import {
  createPrefetchReplay,
  type PrefetchExecutorOptions,
  type Prefetcher,
  type PrefetchReplay,
  type PrefetchResult,
} from './prefetch-replay.js';
import type { TraceFormat } from './trace-format.js';
import { readTrace } from './trace-reader.js';

export interface PrefetchSimulationOptions extends PrefetchExecutorOptions {
  file: string;
  format: TraceFormat;
  capacity: number;
  prefetchers: readonly Prefetcher[];
  /** Replay only the first `limit` accesses. */
  limit?: number;
  onBytes?: (read: number, total: number) => void;
}

export interface PrefetchSimulationReport {
  trace: string;
  accesses: number;
  capacity: number;
  /** One result per prefetcher, `none` (the baseline) first. */
  results: PrefetchResult[];
}

/**
 * Replays a trace once through one ARC cache per prefetcher (plus a cache without prefetch, the baseline), all at
 * the same capacity, online: each model sees an access only after the cache has served it.
 */
export async function simulatePrefetch(
  options: PrefetchSimulationOptions,
): Promise<PrefetchSimulationReport> {
  const interner = new KeyInterner();
  const wanted = options.prefetchers.includes('none')
    ? options.prefetchers
    : ['none', ...options.prefetchers];
  const replays: PrefetchReplay[] = [];
  try {
    for (const p of wanted)
      replays.push(await createPrefetchReplay(p as Prefetcher, options.capacity, interner, options));
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let accesses = 0;
    for await (const chunk of readTrace(options.file, options.format, {
      withKeys: true,
      onBytes: options.onBytes,
    })) {
      const keys = chunk.keys!;
      const n = Math.min(chunk.length, limit - accesses);
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = interner.id(keys[i]!);
      for (const r of replays) {
        const started = performance.now();
        for (let i = 0; i < n; i++) r.access(keys[i]!, ids[i]!);
        r.seconds += (performance.now() - started) / 1000;
      }
      accesses += n;
      if (accesses >= limit) break;
    }
    const base = replays[0]!.result(undefined);
    // The baseline row comes first even when not asked for: every other row is read against it.
    const results = replays.map((r) =>
      r.result({ demandMisses: base.demandMisses, hitRatio: base.hitRatio }),
    );
    return { trace: options.file, accesses, capacity: options.capacity, results };
  } finally {
    for (const r of replays) r.dispose();
  }
}

// `npm run bench -- prefetch`: the sections of the prefetch suite, written together to bench/results/prefetch.{json,md}.
// Each section returns its data and tables; BENCH_PREFETCH_SECTIONS=replay,... runs a subset.
import { type Table, writeResults } from '../lib/report.js';
import { livePrefetchSection } from './live.js';
import { replayPrefetchSection } from './replay.js';

type Section = () => Promise<{ data: object; tables: Table[] }>;

/** Sections by name, in report order. */
export const PREFETCH_SECTIONS: Record<string, Section> = {
  replay: replayPrefetchSection,
  live: livePrefetchSection,
};

export async function prefetchBench(): Promise<void> {
  const only = process.env.BENCH_PREFETCH_SECTIONS?.split(',');
  const data: Record<string, unknown> = {};
  const tables: Table[] = [];
  for (const [name, section] of Object.entries(PREFETCH_SECTIONS)) {
    if (only !== undefined && !only.includes(name)) continue;
    const out = await section();
    Object.assign(data, out.data);
    tables.push(...out.tables);
  }
  writeResults('prefetch', data, tables);
}

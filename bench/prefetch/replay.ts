// The replay section of `npm run bench -- prefetch`: `omnicache simulate --prefetch` on the shared ARC traces (P12 at
// c=32768, OLTP at c=1000, whole traces) and the LIRS traces, each prefetcher against the same ARC cache without
// prefetch. Traces from ../shared/data (never copied here).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Prefetcher, PrefetchResult } from '@omnicache/cli/simulate';
import { simulatePrefetch } from '@omnicache/cli/simulate';
import type { Table } from '../lib/report.js';

const TRACES = fileURLToPath(new URL('../../../shared/data/traces/', import.meta.url));
const ALL: Prefetcher[] = ['sequential', 'markov', 'tfjs'];
const LIRS = ['2_pools', 'cpp', 'cs', 'gli', 'loop', 'multi1', 'multi2', 'multi3', 'ps', 'sprite', 'zigzag'];

interface Run {
  trace: string;
  capacity: number;
  accesses: number;
  results: PrefetchResult[];
}

export async function replayPrefetchSection(): Promise<{ data: object; tables: Table[] }> {
  if (!existsSync(`${TRACES}arc/P12.lis.gz`)) {
    throw new Error(`ARC traces not found at ${TRACES} (see ../shared/data/README.md)`);
  }
  const only = process.env.BENCH_PREFETCH_TRACES?.split(',');
  const want = (name: string) => only === undefined || only.includes(name);
  const runs: Run[] = [];
  const replay = async (name: string, file: string, format: 'arc' | 'lirs', capacity: number) => {
    if (!want(name)) return;
    process.stderr.write(`prefetch replay: ${name} c=${capacity} (${ALL.join(', ')}) ...\n`);
    const r = await simulatePrefetch({ file, format, capacity, prefetchers: ALL });
    runs.push({ trace: name, capacity, accesses: r.accesses, results: r.results });
  };
  await replay('OLTP', `${TRACES}arc/OLTP.lis.gz`, 'arc', 1000);
  await replay('P12', `${TRACES}arc/P12.lis.gz`, 'arc', 32768);
  for (const t of LIRS) await replay(t, `${TRACES}lirs/${t}.trace.gz`, 'lirs', 500);

  const pct = (v: number) => `${(100 * v).toFixed(1)}`;
  const int = (v: number) => v.toLocaleString('en-US');
  const row = (run: Run, r: PrefetchResult) => [
    run.trace,
    int(run.capacity),
    r.prefetcher,
    int(r.demandMisses),
    r.prefetcher === 'none' ? '—' : `${(-100 * r.missReduction).toFixed(1)} %`,
    r.prefetcher === 'none' ? '—' : pct(r.precision),
    r.prefetcher === 'none' ? '—' : pct(r.coverage),
    (100 * r.hitRatio).toFixed(2),
    r.prefetcher === 'none' ? '—' : r.hitRatioDelta.toFixed(2),
    int(r.issued),
    r.seconds.toFixed(1),
  ];
  const columns = [
    'trace',
    'c',
    'prefetch',
    'demand misses',
    'misses vs none',
    'precision %',
    'coverage %',
    'hit %',
    'hit Δ pts',
    'issued',
    'replay s',
  ];
  const targets = runs
    .filter((r) => r.trace === 'OLTP' || r.trace === 'P12')
    .map((run) => {
      const by = Object.fromEntries(run.results.map((r) => [r.prefetcher, r]));
      const m = by.markov!;
      const met =
        m.missReduction >= 0.3 && m.precision >= 0.5 && m.demandMisses < by.sequential!.demandMisses;
      return `${run.trace} c=${run.capacity}: markov ${pct(m.missReduction)} % fewer misses at ${pct(m.precision)} % precision, ${
        m.demandMisses < by.sequential!.demandMisses ? 'fewer' : 'NOT fewer'
      } misses than sequential (${by.sequential!.demandMisses}); tfjs ${pct(by.tfjs!.missReduction)} % — target ${met ? 'met' : 'NOT met'}`;
    });
  const lirsRuns = runs.filter((r) => r.trace !== 'OLTP' && r.trace !== 'P12');
  const worstLirs = Math.min(...lirsRuns.flatMap((run) => run.results.map((r) => r.hitRatioDelta)));
  const tfjsWins = runs
    .filter((run) => {
      const by = Object.fromEntries(run.results.map((r) => [r.prefetcher, r]));
      return by.tfjs!.demandMisses < by.markov!.demandMisses;
    })
    .map((run) => run.trace);
  const tables: Table[] = [
    {
      title:
        'Prefetch by replay: ARC with each prefetcher vs ARC alone (online; prefetches counted against capacity, into T1)',
      columns,
      rows: runs.flatMap((run) => run.results.map((r) => row(run, r))),
      notes: [
        ...targets,
        lirsRuns.length > 0
          ? `LIRS traces (c=500): worst hit-ratio change of any prefetcher ${worstLirs.toFixed(2)} points (target: no worse than -1)`
          : 'LIRS traces not run',
        `TF.js has fewer demand misses than Markov on: ${tfjsWins.length > 0 ? tfjsWins.join(', ') : 'no trace'}`,
        'precision = used / issued; coverage = used / (used + demand misses); a prefetch acts before the next access (no latency modelled)',
        'command per row: `npm run -s omnicache -- simulate --trace ../shared/data/traces/<file> --format <arc|lirs> --capacity <c> --prefetch sequential,markov,tfjs`',
      ],
    },
  ];
  return { data: { replay: runs }, tables };
}

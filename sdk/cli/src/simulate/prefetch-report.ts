import type { PrefetchSimulationReport } from './prefetch-simulator.js';

const pct = (v: number) => (100 * v).toFixed(1);

/** The replay table: one row per prefetcher. */
export function renderPrefetchTable(report: PrefetchSimulationReport): string {
  const header = [
    'prefetch',
    'demand misses',
    'vs none',
    'precision %',
    'coverage %',
    'hit %',
    'hit Δ pts',
    'issued',
    'seconds',
  ];
  const rows = report.results.map((r) => [
    r.prefetcher,
    r.demandMisses.toLocaleString('en-US'),
    r.prefetcher === 'none' ? '—' : `${(-100 * r.missReduction).toFixed(1)} %`,
    r.prefetcher === 'none' ? '—' : pct(r.precision),
    r.prefetcher === 'none' ? '—' : pct(r.coverage),
    (100 * r.hitRatio).toFixed(2),
    r.prefetcher === 'none' ? '—' : r.hitRatioDelta.toFixed(2),
    r.issued.toLocaleString('en-US'),
    r.seconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [
    `trace ${report.trace} (${report.accesses.toLocaleString('en-US')} accesses), ARC c=${report.capacity}`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}

import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { POLICY_NAMES, type PolicyName } from 'omnicache';
import { renderArcChart } from './simulate/chart-svg.js';
import { type PrefetchFlags, parsePrefetchers, parsePrefetchOptions } from './simulate/prefetch-flags.js';
import { PREFETCHERS } from './simulate/prefetch-replay.js';
import { renderPrefetchTable } from './simulate/prefetch-report.js';
import { simulatePrefetch } from './simulate/prefetch-simulator.js';
import type { SimulationResult } from './simulate/replay-engine.js';
import { simulate } from './simulate/simulator.js';
import { parseTraceFormat, TRACE_FORMATS, TraceError } from './simulate/trace-format.js';

interface SimulateFlags extends PrefetchFlags {
  trace: string;
  format: string;
  capacity: string;
  policy: string;
  json?: boolean;
  chart?: string;
  threads?: string;
}

export function simulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('replay a cache trace through replacement policies and report hit ratios')
    .requiredOption('--trace <file>', 'trace file (plain or .gz)')
    .option('--format <format>', `trace format: ${TRACE_FORMATS.join(' | ')}`, 'keys')
    .requiredOption('--capacity <n[,n...]>', 'cache sizes in entries (blocks for the arc format)')
    .option('--policy <names>', `comma-separated policies: ${POLICY_NAMES.join(', ')}`, 'arc,lru')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--chart <out.svg>', "write an SVG of ARC's p and T1/T2/B1/B2 over the trace")
    .option('--threads <n>', 'worker threads (default: number of cores)')
    .option(
      '--prefetch <names>',
      `replay ARC with each prefetcher (${PREFETCHERS.join(', ')}); reports demand misses, reduction vs none, precision, coverage`,
    )
    .option('--prefetch-degree <n>', 'with --prefetch: most prefetches after one access (default 4)')
    .option('--min-confidence <p>', 'with --prefetch: lowest prediction confidence acted on (default 0.5)')
    .option(
      '--no-adaptive',
      'with --prefetch: always issue the full degree (no back-off on wasted prefetches)',
    )
    .option('--limit <n>', 'with --prefetch: replay only the first n accesses')
    .action(async (flags: SimulateFlags) => {
      if (flags.prefetch !== undefined) await runPrefetchSimulate(flags);
      else await runSimulate(flags);
    });
}

async function runSimulate(flags: SimulateFlags): Promise<void> {
  const format = parseTraceFormat(flags.format);
  const policies = parseList(flags.policy, 'policy').map((p) => {
    if (!(POLICY_NAMES as readonly string[]).includes(p)) {
      throw new TraceError(`unknown policy "${p}"; valid policies: ${POLICY_NAMES.join(', ')}`);
    }
    return p as PolicyName;
  });
  const capacities = parseList(flags.capacity, 'capacity').map((c) => {
    const n = Number(c);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new TraceError(`--capacity must be positive integers, got "${c}"`);
    return n;
  });
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1)) {
    throw new TraceError(`--threads must be a positive integer, got "${flags.threads}"`);
  }
  const specs = capacities.flatMap((capacity) => policies.map((policy) => ({ policy, capacity })));

  const bar = process.stderr.isTTY
    ? new SingleBar({
        format: 'replaying {bar} {percentage}% | {value}/{total} MB | eta {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  let barStarted = false;
  const onBytes = (read: number, total: number) => {
    if (!bar) return;
    const mb = (n: number) => Math.round(n / 1e5) / 10;
    if (!barStarted) {
      bar.start(mb(total), 0);
      barStarted = true;
    }
    bar.update(mb(read));
  };
  const started = performance.now();
  let report: Awaited<ReturnType<typeof simulate>>;
  try {
    report = await simulate({
      file: flags.trace,
      format,
      specs,
      sampleArc: Boolean(flags.chart),
      threads,
      onBytes,
    });
  } finally {
    if (barStarted) bar?.stop();
  }
  const seconds = (performance.now() - started) / 1000;

  if (flags.chart) {
    await writeFile(flags.chart, renderArcChart(basename(flags.trace), report.timelines));
  }
  if (flags.json) {
    const out = { trace: report.trace, accesses: report.accesses, results: report.results };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write(renderTable(report.trace, report.accesses, report.results, policies, capacities));
  process.stdout.write(`\n${report.accesses.toLocaleString('en-US')} accesses in ${seconds.toFixed(1)} s`);
  process.stdout.write(flags.chart ? `; chart written to ${flags.chart}\n` : '\n');
}

async function runPrefetchSimulate(flags: SimulateFlags): Promise<void> {
  const format = parseTraceFormat(flags.format);
  const prefetchers = parsePrefetchers(flags.prefetch!);
  const options = parsePrefetchOptions(flags);
  if (flags.policy !== 'arc,lru' && flags.policy !== 'arc') {
    throw new TraceError('--prefetch replays ARC only (prefetched keys land in T1); drop --policy');
  }
  const capacities = parseList(flags.capacity, 'capacity').map((c) => {
    const n = Number(c);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new TraceError(`--capacity must be positive integers, got "${c}"`);
    return n;
  });
  const reports = [];
  for (const capacity of capacities) {
    process.stderr.write(
      `replaying ${basename(flags.trace)} at c=${capacity} with ${prefetchers.join(', ')} ...\n`,
    );
    reports.push(await simulatePrefetch({ file: flags.trace, format, capacity, prefetchers, ...options }));
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ trace: flags.trace, runs: reports })}\n`);
    return;
  }
  for (const r of reports) process.stdout.write(`${renderPrefetchTable(r)}\n`);
}

function parseList(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new TraceError(`--${what} needs at least one value`);
  return items;
}

function renderTable(
  trace: string,
  accesses: number,
  results: readonly SimulationResult[],
  policies: readonly PolicyName[],
  capacities: readonly number[],
): string {
  const header = ['capacity', ...policies.map((p) => `${p} hit %`)];
  if (policies.includes('arc') && policies.includes('lru')) header.push('arc - lru');
  const rows = capacities.map((capacity) => {
    const ratio = (policy: PolicyName) =>
      results.find((r) => r.capacity === capacity && r.policy === policy)?.hitRatio ?? Number.NaN;
    const row = [String(capacity), ...policies.map((p) => (100 * ratio(p)).toFixed(2))];
    if (header.at(-1) === 'arc - lru') row.push((100 * (ratio('arc') - ratio('lru'))).toFixed(2));
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [
    `trace ${trace} (${accesses.toLocaleString('en-US')} accesses)`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}

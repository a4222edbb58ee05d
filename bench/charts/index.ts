// `npm run bench -- charts`: the SVG charts of the benchmark pages, drawn from the JSON results in bench/results/
// (no measuring). Run it after a suite has written new results; test/docs/bench-charts.test.ts fails while a
// committed chart differs from what the current results give.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from '../lib/report.js';
import { quantile } from '../lib/stats.js';
import { type Bar, type BarChart, compact, renderBarChart } from './bar-chart.js';

interface Machine {
  node: string;
  cpu: string;
  cores: number;
  date: string;
}

const read = <T>(dir: string, name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
const where = (m: Machine) => `${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.date.slice(0, 10)}`;

/** A bar from per-round samples: median, p10-p90 whisker. */
function fromSamples(label: string, samples: readonly number[], note?: (v: number) => string): Bar {
  const value = quantile(samples, 0.5);
  return {
    label,
    value,
    low: quantile(samples, 0.1),
    high: quantile(samples, 0.9),
    ...(note ? { note: note(value) } : {}),
  };
}

function policies(dir: string): Record<string, BarChart> {
  const r = read<{
    machine: Machine;
    replay: { trace: string; capacity: number; hitRatio: Record<string, number> };
    getset: {
      keys: number;
      capacity: number;
      zipf: number;
      rounds: number;
      opsPerSecond: Record<string, number[]>;
      /** Since the fix of the writer (results before it stored the get/set ratios under replay.hitRatio). */
      hitRatio?: Record<string, number>;
    };
  }>(dir, 'policies.json');
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const getsetHit = r.getset.hitRatio;
  const charts: Record<string, BarChart> = {
    'policies-getset.svg': {
      title: `get/set, Zipf ${r.getset.zipf} over ${r.getset.keys.toLocaleString('en-US')} keys, capacity ${r.getset.capacity.toLocaleString('en-US')}`,
      subtitle: `npm run bench -- policies · ${r.getset.rounds} rounds · ${where(r.machine)}`,
      unit: 'operations/s',
      bars: Object.entries(r.getset.opsPerSecond).map(([label, s]) => ({
        ...fromSamples(label, s),
        ...(getsetHit?.[label] === undefined
          ? {}
          : { note: `${compact(quantile(s, 0.5))} ops/s · hit ${pct(getsetHit[label])}` }),
      })),
    },
  };
  // replay.hitRatio holds the P12 replay's ratios only in results written since the fix
  if (getsetHit === undefined) return charts;
  return {
    ...charts,
    'policies-p12-hit-ratio.svg': {
      title: `Hit ratio replaying the ${r.replay.trace} trace (ARC paper), c = ${r.replay.capacity.toLocaleString('en-US')}`,
      subtitle: `npm run bench -- policies · ${where(r.machine)}`,
      unit: 'hit ratio',
      format: pct,
      // the dense-index variants replay the same policies (same hits): one bar per policy
      bars: Object.entries(r.replay.hitRatio)
        .filter(([label]) => label.includes('Map index'))
        .map(([label, value]) => ({
          label: `omnicache ${label.replace(' (Map index)', '').toUpperCase()}`,
          value,
        })),
    },
  };
}

function tiered(dir: string): Record<string, BarChart> {
  const r = read<{
    machine: Machine;
    l1Hits: { rounds: number; opsPerSecond: Record<'get' | 'getOrSet', Record<string, number[]>> };
  }>(dir, 'tiered.json');
  return {
    'tiered-l1-getorset.svg': {
      title: 'L1 hits through getOrSet, two-tier caches (memory + Redis)',
      subtitle: `npm run bench -- tiered · ${r.l1Hits.rounds} rounds · ${where(r.machine)}`,
      unit: 'operations/s',
      bars: Object.entries(r.l1Hits.opsPerSecond.getOrSet).map(([label, s]) => fromSamples(label, s)),
    },
  };
}

function http(dir: string): Record<string, BarChart> {
  const r = read<{
    machine: Machine;
    rounds: number;
    connections: number;
    rows: { variant: string; rps: number; p99ms: number; herdHandlerRuns: number; herdMax: number }[];
  }>(dir, 'http.json');
  const sub = `npm run bench -- http · ${r.rounds} rounds, ${r.connections} connections · ${where(r.machine)}`;
  return {
    'http-rps.svg': {
      title: 'Cached HTTP routes: requests per second (median round)',
      subtitle: sub,
      unit: 'requests/s',
      bars: r.rows.map((x) => ({ label: x.variant, value: x.rps })),
    },
    'http-p99.svg': {
      title: 'Cached HTTP routes: p99 latency (median round)',
      subtitle: sub,
      unit: 'milliseconds',
      lowerIsBetter: true,
      bars: r.rows.map((x) => ({ label: x.variant, value: x.p99ms, note: `${x.p99ms.toFixed(1)} ms` })),
    },
  };
}

function invalidation(dir: string): Record<string, BarChart> {
  const r = read<{
    machine: Machine;
    config: { rounds: number; invalidationsPerRound: number; receivers: number };
    results: { name: string; p50: number; medianRoundP99: number }[];
  }>(dir, 'invalidation.json');
  return {
    'invalidation-p99.svg': {
      title: 'Invalidation reaching the other instances: p99 (median round)',
      subtitle: `npm run bench -- invalidation · ${r.config.rounds} rounds × ${r.config.invalidationsPerRound}, ${r.config.receivers} receivers · ${where(r.machine)}`,
      unit: 'milliseconds',
      lowerIsBetter: true,
      bars: r.results.map((x) => ({
        label: x.name,
        value: x.medianRoundP99,
        note: `${x.medianRoundP99.toFixed(2)} ms (p50 ${x.p50.toFixed(2)})`,
      })),
    },
  };
}

function packaging(dir: string): Record<string, BarChart> {
  const r = read<{
    machine: Machine;
    rounds: number;
    contestants: {
      name: string;
      packages: number;
      megabytes: number;
      importMedianMs: number;
      importP10Ms: number;
      importP90Ms: number;
    }[];
  }>(dir, 'packaging.json');
  return {
    'packaging-import.svg': {
      title: 'Cold import time of the package (a fresh Node process)',
      subtitle: `npm run bench -- packaging · ${r.rounds} rounds · ${where(r.machine)}`,
      unit: 'milliseconds',
      lowerIsBetter: true,
      bars: r.contestants.map((c) => ({
        label: c.name,
        value: c.importMedianMs,
        low: c.importP10Ms,
        high: c.importP90Ms,
        note: `${c.importMedianMs.toFixed(1)} ms · ${c.packages} packages, ${c.megabytes.toFixed(1)} MB`,
      })),
    },
  };
}

/** Every chart (file name -> SVG) from the results in `dir`. */
export function renderCharts(dir = resultsDir): Map<string, string> {
  const charts = { ...policies(dir), ...tiered(dir), ...http(dir), ...invalidation(dir), ...packaging(dir) };
  return new Map(Object.entries(charts).map(([file, c]) => [file, renderBarChart(c)]));
}

export async function chartsBench(): Promise<void> {
  for (const [file, svg] of renderCharts()) {
    writeFileSync(join(resultsDir, file), svg);
    process.stdout.write(`wrote bench/results/${file}\n`);
  }
}

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasSharedData, sharedData } from './support/shared-data.js';

/** Published hit ratios (%), Megiddo & Modha FAST 2003, as listed in ../shared/data/README.md. */
const PAPER = {
  OLTP: [
    [1000, 32.83, 38.93],
    [2000, 42.47, 46.08],
    [5000, 53.65, 55.25],
    [10000, 60.7, 61.87],
    [15000, 64.63, 65.4],
  ],
  P12: [
    [1024, 4.09, 4.16],
    [2048, 4.84, 4.89],
    [4096, 5.61, 5.76],
    [8192, 6.22, 7.14],
    [16384, 7.09, 10.12],
    [32768, 8.93, 15.94],
    [65536, 14.43, 26.09],
    [131072, 29.21, 38.68],
    [262144, 49.11, 53.47],
    [524288, 60.91, 63.56],
  ],
} as const;

interface SimulateJson {
  trace: string;
  accesses: number;
  results: { policy: string; capacity: number; hits: number; misses: number; hitRatio: number }[];
}

function reproduce(trace: keyof typeof PAPER, accesses: number) {
  const rows = PAPER[trace];
  const out = runCli(
    [
      'simulate',
      '--trace',
      join(sharedData, 'traces/arc', `${trace}.lis.gz`),
      '--format',
      'arc',
      '--capacity',
      rows.map((r) => r[0]).join(','),
      '--policy',
      'arc,lru',
      '--json',
    ],
    300_000,
  );
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  const report = JSON.parse(out.stdout) as SimulateJson;
  expect(report.accesses).toBe(accesses);
  expect(report.results).toHaveLength(rows.length * 2);
  for (const [capacity, lru, arc] of rows) {
    for (const [policy, published] of [
      ['lru', lru],
      ['arc', arc],
    ] as const) {
      const r = report.results.find((x) => x.policy === policy && x.capacity === capacity)!;
      expect(r.hits + r.misses).toBe(accesses);
      expect(r.hitRatio).toBeCloseTo(r.hits / accesses, 12);
      // within 0.03 percentage points of the paper
      expect(Math.abs(100 * r.hitRatio - published), `${trace} ${policy} c=${capacity}`).toBeLessThanOrEqual(
        0.03,
      );
    }
  }
}

describe.runIf(hasSharedData('ARC paper reproduction'))('omnicache simulate reproduces the ARC paper', () => {
  it('OLTP at 5 cache sizes, ARC and LRU', () => reproduce('OLTP', 914_145), 300_000);
  it(
    'P12 at 10 cache sizes, ARC and LRU (13.2M accesses, slow)',
    () => reproduce('P12', 13_208_930),
    600_000,
  );
});

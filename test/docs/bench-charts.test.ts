import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderCharts } from '../../bench/charts/index.js';
import { repoRoot } from '../services/paths.js';

// The benchmark charts in bench/results/*.svg are drawn from the JSON results next to them by
// `npm run bench -- charts`; the docs show them. A chart that no longer matches the current results (a suite was
// re-run, the charts were not redrawn) or that the benchmarks page does not show fails here.
const results = join(repoRoot, 'bench', 'results');

it('every committed benchmark chart is what the current bench/results JSON gives, and docs/benchmarks.md shows it', () => {
  const charts = renderCharts(results);
  expect(charts.size).toBeGreaterThanOrEqual(6);
  const page = readFileSync(join(repoRoot, 'docs', 'benchmarks.md'), 'utf8');
  const stale: string[] = [];
  for (const [file, svg] of charts) {
    const path = join(results, file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== svg) stale.push(file);
    expect(page, `docs/benchmarks.md shows ${file}`).toContain(`](../bench/results/${file})`);
    expect(svg).toMatch(/<svg [^>]*viewBox/);
  }
  expect(stale, 'redraw with: npm run bench -- charts').toEqual([]);
});

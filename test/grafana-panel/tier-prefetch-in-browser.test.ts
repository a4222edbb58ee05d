// The panel's tier movement view shows learned prefetch as a source of L1 entries: the plugin's BUILT dist/module.js,
// loaded by the host page with Grafana's shared modules in Debian chromium, gets data frames as Grafana's Prometheus
// data source returns them (one per series, names and labels from `omnicache/conventions`) for a cache with the
// prefetch option, and must draw a prefetch box with an edge into L1 carrying the loads issued, and show the entries
// used and wasted, the precision and the hints dropped by the rate limit over the selected range.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GrafanaHostHandle, startGrafanaHost } from '@omnicache/demo/grafana-host';
import { ATTR, METRICS, type MetricConvention, prometheusLabel, prometheusName } from 'omnicache/conventions';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromiumHandle, launchChromium } from '../services/chromium.js';
import { buildGrafanaPlugin } from '../services/grafana-plugin-build.js';
import { repoRoot } from '../services/paths.js';

/** Screenshots go to docs/images only when asked (they are committed); else to a temp dir. */
const SHOTS =
  process.env.OMNICACHE_UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'omnicache-panel-shots-'));

const CACHE = 'shop';
const STEP_MS = 15_000;
const FROM = Date.UTC(2026, 0, 5, 9, 0, 0);
/** 5 samples, 15 s apart: the range is 60 s. */
const TIMES = Array.from({ length: 5 }, (_, i) => FROM + i * STEP_MS);

interface Series {
  name: string;
  labels: Record<string, string>;
  values: number[];
}

const label = (a: string) => prometheusLabel(a);
const series = (metric: MetricConvention, labels: Record<string, string>, values: number[]): Series => ({
  name: prometheusName(metric),
  labels: { [label(ATTR.cache)]: CACHE, ...labels },
  values,
});

/** Counters of a cache with an L1 only, fed by demand loads and by prefetch (raw counters, as the dashboard queries them). */
function shopSeries(): Series[] {
  const req = (result: string, v: number[]) =>
    series(METRICS.requests, { [label(ATTR.tier)]: 'l1', [label(ATTR.result)]: result }, v);
  const zero = [0, 0, 0, 0, 0];
  return [
    req('hit', [0, 150, 300, 450, 600]),
    req('miss', [0, 60, 110, 170, 220]),
    req('stale', zero),
    req('error', zero),
    series(METRICS.tierMovements, { [label(ATTR.movementFrom)]: 'l1', [label(ATTR.movementTo)]: 'l2' }, zero),
    series(
      METRICS.evictions,
      { [label(ATTR.tier)]: 'l1', [label(ATTR.evictionReason)]: 'capacity' },
      [0, 40, 90, 130, 180],
    ),
    series(METRICS.loaderCalls, { [label(ATTR.outcome)]: 'success' }, [0, 80, 150, 230, 300]),
    series(METRICS.prefetchHints, {}, [0, 50, 110, 160, 210]),
    series(METRICS.prefetchIssued, {}, [0, 20, 40, 60, 80]),
    series(METRICS.prefetchResults, { [label(ATTR.prefetchResult)]: 'used' }, [0, 15, 33, 50, 66]),
    series(METRICS.prefetchResults, { [label(ATTR.prefetchResult)]: 'wasted' }, [0, 3, 6, 8, 10]),
    series(METRICS.prefetchDropped, { [label(ATTR.prefetchDropReason)]: 'rate_limit' }, [0, 2, 3, 5, 6]),
    series(METRICS.prefetchDropped, { [label(ATTR.prefetchDropReason)]: 'present' }, [0, 20, 50, 70, 90]),
    series(
      METRICS.prefetchDropped,
      { [label(ATTR.prefetchDropReason)]: 'low_confidence' },
      [0, 5, 8, 10, 12],
    ),
  ];
}

describe('Grafana panel plugin in chromium: prefetch as a source in the tier movement view', () => {
  let host: GrafanaHostHandle;
  let chromium: ChromiumHandle;
  let page: Page;

  beforeAll(async () => {
    host = await startGrafanaHost({ pluginDist: await buildGrafanaPlugin() });
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1000, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.waitForFunction(() => window.omnicacheHost?.ready === true, undefined, { timeout: 60_000 });
    expect(errors).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await host?.stop();
  });

  async function render(all: Series[], theme: 'dark' | 'light') {
    await page.evaluate(
      async ({ all, times, moduleUrl, theme }) => {
        const h = window.omnicacheHost;
        const frames = all.map((s) => h.seriesFrame(s.name, s.labels, times, s.values));
        await h.renderPanel({
          moduleUrl,
          title: 'Tier movement',
          theme,
          width: 940,
          height: 480,
          from: times[0]!,
          to: times[times.length - 1]!,
          options: { view: 'tiers' },
          source: { kind: 'frames', frames },
        });
      },
      { all, times: TIMES, moduleUrl: host.moduleUrl, theme },
    );
    await page.getByTestId('omnicache-tier-view').waitFor();
  }

  for (const theme of ['dark', 'light'] as const) {
    it(`(${theme}) a prefetch box feeds L1: loads issued on the edge, used and wasted, precision, rate-limit drops`, async () => {
      await render(shopSeries(), theme);
      // the edge prefetch -> L1, sized by the prefetch loads issued over the 60 s range (80, 1.33/s)
      const edge = page.locator('[data-edge="prefetch:prefetch->l1"]');
      await expect(edge.getAttribute('data-total')).resolves.toBe('80');
      await expect(edge.locator('text').textContent()).resolves.toBe('issued 1.3/s');
      const width = Number(await edge.locator('path').getAttribute('stroke-width'));
      expect(width).toBeGreaterThan(1.5);
      // the prefetch box says what became of the entries it put into L1
      const node = page.locator('[data-node="prefetch"]');
      await expect(node.isVisible()).resolves.toBe(true);
      await expect(node.locator('text').allTextContents()).resolves.toEqual([
        'prefetch',
        'used 66',
        'wasted 10',
      ]);
      // the table under the view: hints, issued, used, wasted, precision, drops
      const cell = (k: string) => page.locator(`[data-prefetch="${k}"]`).textContent();
      await expect(cell('hints')).resolves.toBe('210 (3.5/s)');
      await expect(cell('issued')).resolves.toBe('80 (1.3/s)');
      await expect(cell('used')).resolves.toBe('66 (1.1/s)');
      await expect(cell('wasted')).resolves.toBe('10 (0.167/s)');
      await expect(cell('precision')).resolves.toBe('86.8%');
      await expect(cell('rate_limit')).resolves.toBe('6 (0.100/s)');
      await expect(cell('dropped_other')).resolves.toBe('102 (1.7/s)');
      // the demand path is unchanged: lookups into L1, misses to the loader
      await expect(
        page.locator('[data-edge="lookup:requests->l1"]').getAttribute('data-total'),
      ).resolves.toBe('820');
      await expect(page.locator('[data-edge="load:l1->loader"]').getAttribute('data-total')).resolves.toBe(
        '220',
      );
      // an L1-only cache: no movement edges to tiers it does not have (its SDK reports them as zero series)
      await expect(page.locator('[data-edge^="demotion:"], [data-edge^="promotion:"]').count()).resolves.toBe(
        0,
      );
      // hover: the edge's and the box's numbers
      await page.mouse.move(0, 0);
      await edge.locator('text').hover();
      await expect(page.getByTestId('tier-detail').textContent()).resolves.toBe(
        'prefetch → L1: issued 80 (1.3/s)',
      );
      // (a corner of the box: its lines of text lie over the middle)
      await page.locator('[data-node="prefetch"] rect').hover({ position: { x: 4, y: 4 } });
      await expect(page.getByTestId('tier-detail').textContent()).resolves.toBe(
        'prefetch: hints 210 (3.5/s), issued 80 (1.3/s), used 66 (1.1/s), wasted 10 (0.167/s), precision 86.8%, dropped by rate limit 6 (0.100/s)',
      );
      // the box and the edge are drawn inside the view, below the tier row, not over the L1 box
      const box = (await page.locator('[data-node="prefetch"] rect').boundingBox())!;
      const l1 = (await page.locator('[data-node="l1"] rect').boundingBox())!;
      const svg = (await page.locator('[data-testid="omnicache-tier-view"] svg').boundingBox())!;
      expect(box.y).toBeGreaterThan(l1.y + l1.height);
      expect(box.y + box.height).toBeLessThanOrEqual(svg.y + svg.height);
      await page.screenshot({ path: join(SHOTS, `panel-tiers-prefetch-${theme}.png`) });
    });
  }

  it('a cache without prefetch counters has no prefetch source', async () => {
    const prefetchNames = new Set(
      [METRICS.prefetchHints, METRICS.prefetchIssued, METRICS.prefetchResults, METRICS.prefetchDropped].map(
        (m) => prometheusName(m),
      ),
    );
    await render(
      shopSeries().filter((s) => !prefetchNames.has(s.name)),
      'dark',
    );
    await expect(page.locator('[data-node="prefetch"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-edge="prefetch:prefetch->l1"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-prefetch-row]').count()).resolves.toBe(0);
    await expect(page.locator('[data-edge="lookup:requests->l1"]').getAttribute('data-total')).resolves.toBe(
      '820',
    );
  });
});

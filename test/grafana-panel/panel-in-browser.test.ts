// The Grafana panel plugin end to end: its BUILT dist/module.js, loaded by the host page through SystemJS with
// Grafana's shared modules, renders all three views in Debian chromium from live data: a real cache (L1 ARC, L2 on
// the shared Redis, L3 in a directory) runs a workload whose phases move ARC between recency and frequency; its
// /metrics endpoint is scraped by a real Prometheus; the host runs the provisioned dashboard's queries
// (query_range) and hands the frames to the panel. Asserts what a person sees against the cache's own stats().
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GrafanaHostHandle, startGrafanaHost } from '@omnicache/demo/grafana-host';
import { Redis } from 'ioredis';
import { type Cache, type CacheStats, createCache, fsTier } from 'omnicache';
import { startTelemetry, type Telemetry } from 'omnicache/otel';
import { redisTier } from 'omnicache/redis';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleAuditRecords } from '../../grafana-plugin/test/audit-records.js';
import { type ChromiumHandle, launchChromium } from '../services/chromium.js';
import { buildGrafanaPlugin } from '../services/grafana-plugin-build.js';
import { freePort, type PrometheusHandle, startPrometheus } from '../services/index.js';
import { repoRoot } from '../services/paths.js';

const CACHE = 'panel-e2e';
const CAPACITY = 200;
const JOB = 'omnicache-panel-e2e';
/** Screenshots go to docs/images only when asked (they are committed); else to a temp dir. */
const SHOTS =
  process.env.OMNICACHE_UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'omnicache-panel-shots-'));

interface DashboardPanel {
  type: string;
  title: string;
  options?: { view?: string };
  targets?: { expr?: string }[];
}

/** The provisioned dashboard's queries for a view of the plugin, with $cache set to one cache. */
function dashboardQueries(view: string, cache: string): string[] {
  const dash = JSON.parse(
    readFileSync(join(repoRoot, 'collector-config', 'grafana', 'dashboards', 'omnicache.json'), 'utf8'),
  ) as { panels: DashboardPanel[] };
  const panel = dash.panels.find((p) => p.type === 'omnicache-cache-panel' && p.options?.view === view);
  if (!panel) throw new Error(`the dashboard has no omnicache-cache-panel with view ${view}`);
  return (panel.targets ?? []).map((t) => (t.expr ?? '').replaceAll('$cache', cache));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function promValue(prom: PrometheusHandle, query: string): Promise<number | undefined> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * Phases that move ARC's target p one way and then the other (c = 200):
 * - frequency: a skewed hot set of 0.6c keys mixed with one-off keys: the hot keys fill T2, p stays low;
 * - recency: every new key is requested a second time 0.75c requests later, after it left T1 for B1: each second
 *   request is a B1 ghost hit, which grows p towards c;
 * - frequency again: the hot keys, pushed out to B2 meanwhile, come back as B2 ghost hits and p shrinks.
 * (Checked against the SDK's ARC: p/c goes about 0.15 -> 0.95 -> 0.4.)
 */
/**
 * Drops about a third of the keys under `prefix` from Redis, as Redis itself would under maxmemory, so that L1 holds
 * values L2 does not have: those are what a demotion writes down (L2 is written on every load otherwise).
 */
async function evictSomeFromRedis(redis: Redis, prefix: string): Promise<void> {
  const [, keys] = await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 200);
  const some = keys.filter((_, i) => i % 3 === 0);
  if (some.length > 0) await redis.unlink(...some);
}

async function workload(cache: Cache, redis: Redis, prefix: string): Promise<void> {
  let oneOff = 1_000_000;
  let step = 0;
  const gap = Math.floor(CAPACITY * 0.75);
  const frequency = () =>
    Math.random() < 0.5 ? 500_000 + Math.floor(CAPACITY * 0.6 * Math.random() ** 2) : oneOff++;
  const recency = () => {
    step++;
    return step % 2 === 0 ? 10_000 + step / 2 : 10_000 + Math.max(0, (step - 1) / 2 - gap);
  };
  for (const next of [frequency, recency, frequency]) {
    for (let i = 0; i < 3000; i += 50) {
      for (let j = 0; j < 50; j++) {
        const k = next();
        await cache.getOrSet(`k${k}`, async () => ({ k }));
      }
      await evictSomeFromRedis(redis, prefix);
      await sleep(10); // spread each phase over several scrapes
    }
  }
  // a few explicit invalidations, so that evictions have more than one reason
  for (let i = 0; i < 20; i++) await cache.delete(`k${500_000 + i}`);
}

const REDIS_PREFIX = `panel-${process.pid}:`;

describe('Grafana panel plugin in chromium, live data from Prometheus', () => {
  let prom: PrometheusHandle;
  let telemetry: Telemetry;
  let cache: Cache;
  let host: GrafanaHostHandle;
  let chromium: ChromiumHandle;
  let page: Page;
  let l3Dir: string;
  let stats: CacheStats;
  let from: number;
  let to: number;

  beforeAll(async () => {
    const [dist, metricsPort] = await Promise.all([buildGrafanaPlugin(), freePort()]);
    prom = await startPrometheus({
      config: [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    });
    telemetry = await startTelemetry({
      serviceName: JOB,
      prometheus: { port: metricsPort, host: '127.0.0.1' },
      otlp: false,
    });
    l3Dir = mkdtempSync(join(tmpdir(), 'omnicache-panel-l3-'));
    cache = createCache({
      name: CACHE,
      l1: { capacity: CAPACITY, policy: 'arc', demoteOnEvict: true },
      l2: redisTier({ connection: inject('redis').url, keyPrefix: REDIS_PREFIX }),
      l3: fsTier(l3Dir),
      defaults: { ttl: 120_000 },
    });
    telemetry.instrument(cache);
    // the zero samples before the workload, so that increases over the range are the whole counts
    const requests = `sum(omnicache_requests_total{omnicache_cache_name="${CACHE}"})`;
    await until('the first scrape', () => promValue(prom, requests));
    from = Date.now() - 2000;
    const redis = new Redis(inject('redis').url);
    try {
      await workload(cache, redis, REDIS_PREFIX);
    } finally {
      redis.disconnect();
    }
    stats = cache.stats();
    const lookups = stats.tiers.l1.hits + stats.tiers.l1.misses + stats.tiers.l1.staleHits;
    const all =
      lookups +
      (stats.tiers.l2
        ? stats.tiers.l2.hits +
          stats.tiers.l2.misses +
          stats.tiers.l2.staleHits +
          stats.tiers.l2.errors +
          stats.tiers.l2.timeouts
        : 0);
    await until('a scrape after the workload', async () => {
      const v = await promValue(
        prom,
        `sum(omnicache_requests_total{omnicache_cache_name="${CACHE}",omnicache_tier=~"l1|l2"})`,
      );
      return v !== undefined && v >= all ? v : undefined;
    });
    await sleep(1500); // one more scrape, so the gauges' last samples are the final state too
    to = Date.now();
    host = await startGrafanaHost({ pluginDist: dist });
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1000, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.waitForFunction(() => window.omnicacheHost?.ready === true, undefined, { timeout: 60_000 });
    expect(errors).toEqual([]);
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await host?.stop();
    await telemetry?.shutdown();
    await cache?.close();
    await prom?.stop();
    if (l3Dir) rmSync(l3Dir, { recursive: true, force: true });
  });

  interface RenderOptions {
    options?: Record<string, unknown>;
    /** Cache name put into the dashboard's queries ($cache). */
    cache?: string;
    /** Default: the provisioned dashboard's Prometheus queries for the view. */
    source?: { kind: 'json'; url: string };
  }

  async function render(view: string, theme: 'light' | 'dark', opts: RenderOptions = {}) {
    const title = { arc: 'ARC adaptation', tiers: 'Tier movement', audit: 'Audit events' }[view] ?? view;
    return page.evaluate((req) => window.omnicacheHost.renderPanel(req), {
      moduleUrl: host.moduleUrl,
      title,
      theme,
      width: 940,
      height: view === 'audit' ? 520 : 460,
      from,
      to,
      options: { view, ...opts.options },
      // an annotation as the dashboard's annotation query (e.g. the anomaly service's alerts) would give it
      annotations: [{ time: from + 3000, timeEnd: from + 5000, text: 'hit ratio below baseline' }],
      source: opts.source ?? {
        kind: 'prometheus' as const,
        url: prom.url,
        queries: dashboardQueries(view, opts.cache ?? CACHE),
        stepSeconds: 1,
      },
    });
  }

  const legend = async (label: string) =>
    page.locator(`[data-legend="${label}"] [data-testid="legend-value"]`).textContent();

  for (const theme of ['dark', 'light'] as const) {
    it(`ARC adaptation (${theme}): legend values are the cache's final ARC state`, async () => {
      const r = await render('arc', theme);
      expect(r.frames).toBeGreaterThanOrEqual(8);
      await expect(page.getByTestId('omnicache-arc-view').isVisible()).resolves.toBe(true);
      const policy = stats.tiers.l1.policy as unknown as {
        p: number;
        t1: number;
        t2: number;
        b1: number;
        b2: number;
      };
      expect(await legend('capacity c')).toBe(String(CAPACITY));
      expect(await legend('T1 (recency)')).toBe(String(policy.t1));
      expect(await legend('T2 (frequency)')).toBe(String(policy.t2));
      expect(await legend('B1 ghosts')).toBe(String(policy.b1));
      expect(await legend('B2 ghosts')).toBe(String(policy.b2));
      expect(await legend('target p')).toBe(policy.p.toFixed(1));
      // every series has points to draw, and the canvases are painted (a good share of non-empty pixels)
      const points = await page
        .locator('canvas')
        .evaluateAll((cs) => cs.flatMap((c) => (c.getAttribute('data-points') ?? '').split(';')));
      expect(points).toHaveLength(8);
      const count = Object.fromEntries(points.map((p) => [p.split('=')[0], Number(p.split('=')[1])]));
      for (const [label, n] of Object.entries(count)) expect(n, label).toBeGreaterThanOrEqual(2);
      // the series that moved have a point per pixel column they cover (constant runs, e.g. c, collapse to two)
      for (const label of ['T1 (recency)', 'target p', 'B1 ghosts', 'B2 ghosts'])
        expect(count[label], label).toBeGreaterThan(5);
      // one canvas for both panes: the resident pane (top 60 %) is mostly filled, the ghost pane has lines
      const painted = await page
        .getByTestId('arc-chart')
        .locator('canvas')
        .evaluate((el) => {
          const c = el as HTMLCanvasElement;
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          const split = Math.round(c.height * 0.6);
          const share = (y0: number, y1: number) => {
            let n = 0;
            for (let i = y0 * c.width * 4 + 3; i < y1 * c.width * 4; i += 4) if (data[i]! > 0) n++;
            return n / ((y1 - y0) * c.width);
          };
          return [share(0, split), share(split, c.height)];
        });
      expect(painted[0], 'resident pane painted share').toBeGreaterThan(0.2);
      expect(painted[1], 'ghost pane painted share').toBeGreaterThan(0.005);
      expect(await page.locator('[data-mark="anomaly: hit ratio below baseline"]').count()).toBe(2);
      // the policy moved to recency in the middle phase at least
      expect(Number(await legend('policy shifts'))).toBeGreaterThanOrEqual(1);
      // hover shows the values at the cursor
      await page.mouse.move(0, 0);
      const chart = page.getByTestId('arc-chart').locator('svg');
      await chart.hover({ position: { x: 600, y: 100 } });
      await expect(page.getByRole('tooltip').textContent()).resolves.toMatch(/target p: \d/);
      await page.screenshot({ path: join(SHOTS, `panel-arc-${theme}.png`) });
    });

    it(`Tier movement (${theme}): edges carry the cache's own counts`, async () => {
      await render('tiers', theme);
      const edge = async (id: string) =>
        Number(await page.locator(`[data-edge="${id}"]`).getAttribute('data-total'));
      const { l1, l2, l3 } = stats.tiers;
      expect(await edge('lookup:requests->l1')).toBe(l1.hits + l1.misses + l1.staleHits);
      expect(await edge('miss:l1->l2')).toBe(l1.misses + l1.staleHits);
      expect(await edge('miss:l2->l3')).toBe(l2!.misses + l2!.staleHits + l2!.errors + l2!.timeouts);
      expect(await edge('load:l3->loader')).toBe(l3!.misses + l3!.staleHits + l3!.errors + l3!.timeouts);
      const moved = (from: string, to: string) =>
        stats.movements.find((m) => m.from === from && m.to === to)?.count ?? 0;
      expect(await edge('demotion:l1->l2')).toBe(moved('l1', 'l2'));
      expect(moved('l1', 'l2')).toBeGreaterThan(0);
      expect(await edge('promotion:l2->l1')).toBe(moved('l2', 'l1'));
      const row = page.locator('[data-evictions="l1"]');
      await expect(row.locator('[data-reason="capacity"]').textContent()).resolves.toMatch(
        new RegExp(`^${l1.evictions.capacity} \\(`),
      );
      await expect(row.locator('[data-reason="invalidated"]').textContent()).resolves.toMatch(
        new RegExp(`^${l1.evictions.invalidated} \\(`),
      );
      // hover shows the numbers
      await page.mouse.move(0, 0);
      await page.locator('[data-node="l1"] rect').hover();
      await expect(page.getByTestId('tier-detail').textContent()).resolves.toContain(`hits ${l1.hits} (`);
      await page.screenshot({ path: join(SHOTS, `panel-tiers-${theme}.png`) });
    });

    it(`Audit events (${theme}): table, chain status and filters from a JSON API`, async () => {
      const records = sampleAuditRecords(40, from, Math.floor((to - from) / 40));
      const url = host.setJson('audit.json', records);
      await render('audit', theme, { source: { kind: 'json', url } });
      await expect(page.getByTestId('audit-chain').textContent()).resolves.toBe(
        'chain: linked, 40 records (#1–#40)',
      );
      await expect(page.locator('tr[data-sequence]').count()).resolves.toBe(40);
      await page.getByRole('button', { name: 'denied', exact: true }).click();
      const denied = records.filter((r) => r.outcome === 'denied').length;
      await expect(page.getByTestId('audit-count').textContent()).resolves.toBe(`${denied} of 40 events`);
      await page.screenshot({ path: join(SHOTS, `panel-audit-${theme}.png`) });
      const tampered = records.map((r) => (r.sequence === 17 ? { ...r, prevHash: r.hash } : r));
      const bad = host.setJson('audit-tampered.json', tampered);
      await render('audit', theme, { source: { kind: 'json', url: bad } });
      await expect(page.getByTestId('audit-chain').textContent()).resolves.toBe(
        'chain: BROKEN at #17 (prev hash does not match)',
      );
    });
  }

  it('names the missing series instead of drawing an empty box (wrong cache / old SDK)', async () => {
    await render('arc', 'dark', { cache: 'no-such-cache' });
    const alert = page.getByTestId('omnicache-missing');
    await expect(alert.textContent()).resolves.toContain('omnicache_arc_target');
    await expect(alert.textContent()).resolves.toContain('ARC adaptation: no data for these series');
    await page.screenshot({ path: join(SHOTS, 'panel-missing-series.png') });
  });
});

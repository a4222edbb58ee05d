// Render cost of the panel plugin's ARC view against Grafana's own TimeSeries (@grafana/ui, uPlot) on the same
// frames, in the same page of Debian chromium: 24 h of 15 s samples (5,760 points) x 8 series, the plugin's BUILT
// module loaded by the test host. Each run mounts one component and waits two animation frames (commit, layout,
// paint); runs alternate which component goes first.

import { startGrafanaHost } from '@omnicache/demo/grafana-host';
import { METRICS, prometheusName } from 'omnicache/conventions';
import { launchChromium } from '../../test/services/chromium.js';
import { buildGrafanaPlugin } from '../../test/services/grafana-plugin-build.js';
import { writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';

const RUNS = Number(process.env.BENCH_ROUNDS ?? 21);
const POINTS = 5760;
const STEP_MS = 15_000;
const TARGET = 1.5;
const SETTLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Series {
  name: string;
  labels: Record<string, string>;
  values: number[];
}

/** An ARC day: p and the list sizes swing with a daily and a faster cycle plus noise; ghost-hit counters grow. */
function arcDay(capacity: number): Series[] {
  const cache = { omnicache_cache_name: 'bench' };
  const list = (l: string) => ({ ...cache, omnicache_arc_list: l });
  const p: number[] = [];
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < POINTS; i++) {
    const share =
      0.5 + 0.35 * Math.sin((2 * Math.PI * i) / POINTS) + 0.1 * Math.sin(i / 37) + 0.05 * (rnd() - 0.5);
    p.push(Math.max(0, Math.min(capacity, share * capacity)));
  }
  const t1 = p.map((x) => Math.round(Math.min(capacity, x * (0.95 + 0.1 * rnd()))));
  const t2 = t1.map((x) => capacity - x);
  const b1 = t2.map((x) => Math.round(x * 0.8));
  const b2 = t1.map((x) => Math.round(x * 0.8));
  let g1 = 0;
  let g2 = 0;
  const gh1 = p.map((_, i) => (g1 += Math.round(20 * rnd() * (i % 100 < 50 ? 2 : 1))));
  const gh2 = p.map((_, i) => (g2 += Math.round(20 * rnd() * (i % 100 >= 50 ? 2 : 1))));
  return [
    { name: prometheusName(METRICS.arcCapacity), labels: cache, values: p.map(() => capacity) },
    { name: prometheusName(METRICS.arcTarget), labels: cache, values: p },
    { name: prometheusName(METRICS.arcListSize), labels: list('t1'), values: t1 },
    { name: prometheusName(METRICS.arcListSize), labels: list('t2'), values: t2 },
    { name: prometheusName(METRICS.arcListSize), labels: list('b1'), values: b1 },
    { name: prometheusName(METRICS.arcListSize), labels: list('b2'), values: b2 },
    { name: prometheusName(METRICS.arcGhostHits), labels: list('b1'), values: gh1 },
    { name: prometheusName(METRICS.arcGhostHits), labels: list('b2'), values: gh2 },
  ];
}

export async function panelRenderBench(): Promise<void> {
  const dist = await buildGrafanaPlugin();
  const host = await startGrafanaHost({ pluginDist: dist });
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.waitForFunction(() => window.omnicacheHost?.ready === true, undefined, { timeout: 60_000 });
    const to = Date.UTC(2026, 10, 30);
    const from = to - (POINTS - 1) * STEP_MS;
    const series = arcDay(10_000);
    await page.evaluate(
      async ({ series, from, step, moduleUrl }) => {
        const h = window.omnicacheHost;
        const times = series[0]!.values.map((_, i) => from + i * step);
        const frames = series.map((s) => h.seriesFrame(s.name, s.labels, times, s.values));
        await h.prepareRenderCost({
          moduleUrl,
          frames,
          from,
          to: times[times.length - 1]!,
          width: 1200,
          height: 500,
        });
      },
      { series, from, step: STEP_MS, moduleUrl: host.moduleUrl },
    );
    // Chrome's own accounting of main-thread work (script, style, layout, paint recording, tasks) per mount,
    // read through the DevTools protocol once the page has settled: catches work deferred past the first frames.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const metrics = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as {
        metrics: { name: string; value: number }[];
      };
      return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    };
    type Which = 'omnicache' | 'timeseries';
    const samples: Record<Which, { commit: number[]; paint: number[]; task: number[]; layout: number[] }> = {
      omnicache: { commit: [], paint: [], task: [], layout: [] },
      timeseries: { commit: [], paint: [], task: [], layout: [] },
    };
    const once = async (which: Which, keep: boolean) => {
      await page.evaluate(() => window.omnicacheHost.unmount());
      await sleep(SETTLE_MS);
      const before = await metrics();
      const r = await page.evaluate((w) => window.omnicacheHost.mountForCost(w), which);
      await sleep(SETTLE_MS);
      const after = await metrics();
      if (!keep) return;
      const d = (k: string) => ((after[k] ?? 0) - (before[k] ?? 0)) * 1000;
      samples[which].commit.push(r.commitMs);
      samples[which].paint.push(r.paintMs);
      samples[which].task.push(d('TaskDuration'));
      samples[which].layout.push(d('LayoutDuration') + d('RecalcStyleDuration'));
    };
    await once('omnicache', false); // warm-up: code paths, JIT, emotion styles
    await once('timeseries', false);
    for (let i = 0; i < RUNS; i++) {
      const order: Which[] = i % 2 === 0 ? ['omnicache', 'timeseries'] : ['timeseries', 'omnicache'];
      for (const w of order) await once(w, true);
    }
    const result = samples;
    const omni = median(result.omnicache.task);
    const ts = median(result.timeseries.task);
    const ratio = omni / ts;
    const pairRatios = result.omnicache.task.map((o, i) => o / result.timeseries.task[i]!);
    const paintRatio = median(result.omnicache.paint) / median(result.timeseries.paint);
    const row = (name: string, s: number[]) => [name, median(s), quantile(s, 0.1), quantile(s, 0.9)];
    const o = result.omnicache;
    const t = result.timeseries;
    writeResults(
      'panel-render',
      { points: POINTS, series: series.length, runs: RUNS, settleMs: SETTLE_MS, samples, ratio, paintRatio },
      [
        {
          title: `Mounting the panel, ${POINTS.toLocaleString('en-US')} points x ${series.length} series, 1200x500 px (ms, ${RUNS} alternating runs after a warm-up)`,
          columns: [
            'measure',
            'OmniCache ARC view median',
            'p10',
            'p90',
            'Grafana TimeSeries median',
            'p10',
            'p90',
          ],
          rows: [
            [
              'main-thread time (Chrome TaskDuration)',
              ...row('', o.task).slice(1),
              ...row('', t.task).slice(1),
            ],
            ['of which style + layout', ...row('', o.layout).slice(1), ...row('', t.layout).slice(1)],
            ['render call to React commit', ...row('', o.commit).slice(1), ...row('', t.commit).slice(1)],
            ['render call to two frames later', ...row('', o.paint).slice(1), ...row('', t.paint).slice(1)],
          ],
        },
        {
          title: 'Ratio OmniCache / TimeSeries (main-thread time)',
          columns: [
            'median ratio',
            'per-run ratio p10',
            'per-run ratio p90',
            'target',
            '',
            'to-two-frames ratio',
          ],
          rows: [
            [
              ratio,
              quantile(pairRatios, 0.1),
              quantile(pairRatios, 0.9),
              `<= ${TARGET}`,
              ratio <= TARGET ? 'met' : 'not met',
              paintRatio,
            ],
          ],
          notes: [
            "Same frames for both (24 h of 15 s samples of the eight ARC series: c, p, |T1|, |T2|, |B1|, |B2|, ghost hits B1/B2), field overrides applied once before timing (as Grafana's query runner does), dark theme, TimeSeries with the palette-classic colours.",
            `A run unmounts what was there, waits ${SETTLE_MS} ms, mounts one component (createRoot().render() under flushSync) and waits ${SETTLE_MS} ms more; main-thread time is the difference of Chrome's Performance.getMetrics TaskDuration across the run, so work either component defers past the first frames is counted.`,
            'The ARC view decimates every series to at most two points per pixel column (min/max) and draws two canvases (resident lists; ghost lists and ghost-hit rates) under an SVG layer with axes, policy-shift marks and the hover cursor; TimeSeries (GraphNG + uPlot) draws one canvas and its legend.',
            'Headless Debian chromium with --disable-gpu (software raster), on a 2-core VM shared with other work: compare the ratios, not absolute times across runs.',
          ],
        },
      ],
    );
  } finally {
    await chromium.close();
    await host.stop();
  }
}

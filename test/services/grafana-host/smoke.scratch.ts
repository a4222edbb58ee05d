import { join } from 'node:path';
import { launchChromium } from '../chromium.js';
import { startGrafanaHost } from './server.js';
const host = await startGrafanaHost({ pluginDist: join(process.cwd(), '../grafana-plugin/dist') });
const c = await launchChromium();
const page = await c.browser.newPage({ viewport: { width: 1000, height: 700 } });
page.on('console', (m) => console.log('[page]', m.type(), m.text()));
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
await page.goto(host.url);
await page.waitForFunction(() => window.omnicacheHost?.ready);
const r = await page.evaluate(async (moduleUrl) => {
  const h = window.omnicacheHost;
  const n = 200; const t0 = Date.now() - n * 15000;
  const times = Array.from({ length: n }, (_, i) => t0 + i * 15000);
  const L = { omnicache_cache_name: 'demo' };
  const frames = [
    h.seriesFrame('omnicache_arc_capacity', L, times, times.map(() => 100)),
    h.seriesFrame('omnicache_arc_target', L, times, times.map((_, i) => 50 + 45 * Math.sin(i / 20))),
    h.seriesFrame('omnicache_arc_list_size', { ...L, omnicache_arc_list: 't1' }, times, times.map((_, i) => 50 + 40 * Math.sin(i / 20))),
    h.seriesFrame('omnicache_arc_list_size', { ...L, omnicache_arc_list: 't2' }, times, times.map((_, i) => 50 - 40 * Math.sin(i / 20))),
    h.seriesFrame('omnicache_arc_list_size', { ...L, omnicache_arc_list: 'b1' }, times, times.map((_, i) => 30 + 20 * Math.cos(i / 20))),
    h.seriesFrame('omnicache_arc_list_size', { ...L, omnicache_arc_list: 'b2' }, times, times.map((_, i) => 30 - 20 * Math.cos(i / 20))),
    h.seriesFrame('omnicache_arc_ghost_hits_total', { ...L, omnicache_arc_list: 'b1' }, times, times.map((_, i) => i * 3)),
    h.seriesFrame('omnicache_arc_ghost_hits_total', { ...L, omnicache_arc_list: 'b2' }, times, times.map((_, i) => i * 2)),
  ];
  return h.renderPanel({ moduleUrl, title: 'ARC', theme: 'dark', width: 900, height: 500, from: times[0], to: times[n - 1], source: { kind: 'frames', frames } });
}, host.moduleUrl);
console.log(r);
await page.screenshot({ path: '/tmp/panel-scratch/arc.png' });
await c.close(); await host.stop();

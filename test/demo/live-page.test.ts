import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { type ChromiumHandle, launchChromium } from '../services/chromium.js';
import { repoRoot } from '../services/paths.js';

// `npm run demo`'s web page in Debian chromium: the Grafana panel's three views (its built module.js, loaded by the
// host page with Grafana's shared modules) on the live demo data: frames from the demo's in-process metrics
// history, audit records from its audit log. No Grafana, no Prometheus. The views must show numbers that change.
const demoMain = join(repoRoot, 'sdk', 'demo', 'dist', 'main.js');
/** The screenshot goes to docs/images only when asked (it is committed); else to a temp dir. */
const SHOTS =
  process.env.OMNICACHE_UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'omnicache-demo-shots-'));

let demo: ChildProcess | undefined;
let chromium: ChromiumHandle | undefined;
afterAll(async () => {
  await chromium?.close();
  if (demo?.exitCode === null) demo.kill('SIGKILL');
});

async function startDemo(): Promise<{ child: ChildProcess; pageUrl: string; out: () => string }> {
  // Short passes (2 s per phase), so that ARC moves between recency and frequency while the page is open.
  const child = spawn(process.execPath, [demoMain, '--duration', '8', '--port', '0', '--page-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo = child;
  let out = '';
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const pageUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /page \(the Grafana panel's views, live\): (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`demo exited (${code}) before printing the page URL:\n${out}`)),
    );
  });
  return { child, pageUrl, out: () => out };
}

/** Waits until the page has refreshed its data `n` times. */
async function refreshes(page: Page, n: number, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const board = page.getByTestId('live-dashboard');
  while (Number(await board.getAttribute('data-refreshes')) < n) {
    if (Date.now() > end) throw new Error(`the page did not refresh ${n} times in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Reading {
  refreshes: number;
  capacity: string;
  t1: number;
  t2: number;
  p: number;
  lookups: number;
  loads: number;
  auditChain: string;
  auditLast: number;
}

async function read(page: Page): Promise<Reading> {
  const legend = async (label: string) =>
    (await page.locator(`[data-legend="${label}"] [data-testid="legend-value"]`).textContent()) ?? '';
  const edge = async (id: string) =>
    Number(await page.locator(`[data-edge="${id}"]`).getAttribute('data-total'));
  return {
    refreshes: Number(await page.getByTestId('live-dashboard').getAttribute('data-refreshes')),
    capacity: await legend('capacity c'),
    t1: Number(await legend('T1 (recency)')),
    t2: Number(await legend('T2 (frequency)')),
    p: Number(await legend('target p')),
    lookups: await edge('lookup:requests->l1'),
    loads: await edge('load:l3->loader'),
    auditChain: (await page.getByTestId('audit-chain').textContent()) ?? '',
    auditLast: Number(await page.locator('tr[data-sequence]').first().getAttribute('data-sequence')),
  };
}

it("npm run demo prints a page URL; the page shows the panel's three views with live numbers that change", async () => {
  const { child, pageUrl, out } = await startDemo();
  chromium = await launchChromium();
  const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pageUrl);
  for (const id of ['omnicache-arc-view', 'omnicache-tier-view', 'omnicache-audit-view'])
    await page.getByTestId(id).waitFor({ timeout: 60_000 });
  await refreshes(page, 2);
  const first = await read(page);
  // A few refreshes later (2 s each) every view has moved on.
  await refreshes(page, first.refreshes + 4);
  const second = await read(page);

  expect(errors).toEqual([]);
  await expect(page.getByTestId('live-error').count()).resolves.toBe(0);
  // ARC adaptation: the demo cache's L1 (c = 1000), resident lists within it, a target p that moves with the phases
  expect([first.capacity, second.capacity]).toEqual(['1000', '1000']);
  for (const r of [first, second]) {
    expect(r.t1 + r.t2).toBeGreaterThan(0);
    expect(r.t1 + r.t2).toBeLessThanOrEqual(1000);
    expect(r.p).toBeGreaterThanOrEqual(0);
    expect(r.p).toBeLessThanOrEqual(1000);
  }
  // Tier movement: lookups into L1 and loader calls keep growing while the workload runs
  expect(first.lookups).toBeGreaterThan(0);
  expect(second.lookups).toBeGreaterThan(first.lookups);
  expect(second.loads).toBeGreaterThan(first.loads);
  // Audit events: the chain is linked and grows (erasures and refused PII writes every 1.5 s)
  expect(first.auditChain).toMatch(/^chain: linked, \d+ records/);
  expect(second.auditChain).toMatch(/^chain: linked, \d+ records/);
  expect(second.auditLast).toBeGreaterThan(first.auditLast);
  // ARC's lists or target moved between the two readings (the phases change every 2 s)
  expect([second.t1, second.p]).not.toEqual([first.t1, first.p]);

  await page.screenshot({ path: join(SHOTS, 'demo-page.png'), fullPage: true });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, out()).toBe(0);
  expect(out()).toMatch(/live cache: [\d,]+ hits/);
}, 240_000);

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { METRICS, prometheusName } from 'omnicache/conventions';
import { expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

it('npm run demo: ARC vs LRU per phase, then a live cache serving /metrics while it runs', async () => {
  const child = spawn(process.execPath, [main, '--duration', '4', '--once', '--port', '0', '--no-page'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let scraped = '';
  const urlSeen = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await urlSeen;
  // Scrape while the workload runs.
  await new Promise((r) => setTimeout(r, 1500));
  scraped = await (await fetch(url)).text();
  expect(await exited).toBe(0);

  const rows = new Map(
    [...stdout.matchAll(/^(recency again|recency|frequency|scan)\s+([\d.]+)%\s+([\d.]+)%/gm)].map((m) => [
      m[1],
      { arc: Number(m[2]), lru: Number(m[3]) },
    ]),
  );
  expect([...rows.keys()]).toEqual(['recency', 'frequency', 'scan', 'recency again']);
  expect(rows.get('frequency')!.arc).toBeGreaterThan(rows.get('frequency')!.lru + 5);
  expect(rows.get('scan')!.arc).toBeGreaterThan(rows.get('scan')!.lru + 5);
  expect(Math.abs(rows.get('recency')!.arc - rows.get('recency')!.lru)).toBeLessThan(1.5);
  expect(stdout).toMatch(/overall: ARC [\d.]+% vs LRU [\d.]+%; ghost hits B1 \d+/);

  // The live part: every phase ran through the real cache, and /metrics carried its series.
  expect(stdout).toMatch(/point Prometheus at it: .*targets: \['127\.0\.0\.1:\d+'\]/);
  expect(
    (stdout.match(/^ {2}(recency|frequency|scan|recency again)\s+[\d,]+ requests, hit/gm) ?? []).length,
  ).toBe(4);
  expect(stdout).toMatch(/live cache: [\d,]+ hits, [\d,]+ misses, [\d,]+ loader calls/);
  const hits = /omnicache_requests_total\{[^}]*omnicache_tier="l1",omnicache_result="hit"[^}]*\} (\d+)/.exec(
    scraped,
  );
  expect(Number(hits?.[1])).toBeGreaterThan(0);
  for (const m of [METRICS.requests, METRICS.arcTarget, METRICS.arcListSize, METRICS.tierMovements]) {
    expect(scraped).toContain(`${prometheusName(m)}{`);
  }
}, 60_000);

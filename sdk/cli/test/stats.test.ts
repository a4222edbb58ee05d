import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS, prometheusName } from 'omnicache/conventions';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveView, quantile } from '../src/stats/derive.js';
import { ExpositionError, parseExposition } from '../src/stats/exposition.js';
import { sparkline } from '../src/stats/render.js';
import { toScrape } from '../src/stats/snapshot.js';
import { cliPath } from './support/cli.js';

const req = prometheusName(METRICS.requests);
const loader = prometheusName(METRICS.loaderDuration);

function exposition(l1Hits: number, l1Misses: number, l3Hits: number): string {
  return [
    `# HELP ${req} lookups`,
    `# TYPE ${req} counter`,
    `${req}{omnicache_cache_name="app",omnicache_tier="l1",omnicache_result="hit"} ${l1Hits}`,
    `${req}{omnicache_cache_name="app",omnicache_tier="l1",omnicache_result="miss"} ${l1Misses}`,
    `${req}{omnicache_cache_name="app",omnicache_tier="l3",omnicache_result="hit"} ${l3Hits}`,
    `${req}{omnicache_cache_name="app",omnicache_tier="l3",omnicache_result="miss"} ${l1Misses - l3Hits}`,
    `${prometheusName(METRICS.circuitState)}{omnicache_cache_name="app",omnicache_tier="l3",omnicache_circuit_state="open"} 1`,
    `${prometheusName(METRICS.circuitState)}{omnicache_cache_name="app",omnicache_tier="l3",omnicache_circuit_state="closed"} 0`,
    `${loader}_bucket{omnicache_cache_name="app",omnicache_outcome="success",le="0.01"} 50`,
    `${loader}_bucket{omnicache_cache_name="app",omnicache_outcome="success",le="0.1"} 90`,
    `${loader}_bucket{omnicache_cache_name="app",omnicache_outcome="success",le="+Inf"} 100`,
    `${loader}_count{omnicache_cache_name="app",omnicache_outcome="success"} 100`,
    `${prometheusName(METRICS.httpResponses)}{omnicache_cache_name="app",http_route="/u/:id",http_request_method="GET",http_response_status_code="200",omnicache_http_result="hit"} 7`,
    'other_metric{a="b \\"quoted\\""} 3 1700000000000',
    '',
  ].join('\n');
}

describe('stats: exposition parsing and the derived view', () => {
  it('parses labels with escapes, timestamps, special values; rejects garbage', () => {
    const s = parseExposition('a{x="1",y="q\\"z\\n"} 2.5 123\nb 3\nc{} +Inf\n# comment\n');
    expect(s).toEqual([
      { name: 'a', labels: { x: '1', y: 'q"z\n' }, value: 2.5 },
      { name: 'b', labels: {}, value: 3 },
      { name: 'c', labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
    expect(() => parseExposition('a{x="1} 2')).toThrow(ExpositionError);
    expect(() => parseExposition('a notanumber')).toThrow(ExpositionError);
  });

  it('hit ratios per tier and overall, circuit state, loader quantiles, rates between scrapes, restarts', () => {
    const first = toScrape(parseExposition(exposition(60, 40, 10)), 0).caches.get('app')!;
    const once = deriveView(first, undefined, 0);
    expect(once.windowSeconds).toBeUndefined();
    expect(once.hitRatio).toBeCloseTo(0.7); // (60 + 10) / 100
    expect(once.tiers.map((t) => [t.tier, t.hitRatio, t.circuit])).toEqual([
      ['l1', 0.6, undefined],
      ['l3', 0.25, 'open'],
    ]);
    expect(once.loader.p50).toBeCloseTo(0.01);
    expect(once.loader.p95).toBe(0.1); // the 95th lies in the +Inf bucket: its lower bound, as Prometheus does
    expect(once.http).toEqual([{ route: '/u/:id', result: 'hit', count: 7, perSecond: undefined }]);
    const second = toScrape(parseExposition(exposition(150, 50, 10)), 2000).caches.get('app')!;
    const window = deriveView(second, first, 2);
    expect(window.windowSeconds).toBe(2);
    expect(window.hitRatio).toBeCloseTo(0.9); // 90 hits of 100 lookups in the window
    expect(window.requestsPerSecond).toBe(50);
    // a restarted target (counters went down): back to totals since its start
    const restarted = toScrape(parseExposition(exposition(5, 5, 0)), 4000).caches.get('app')!;
    expect(deriveView(restarted, second, 2).windowSeconds).toBeUndefined();
  });

  it('quantile interpolates like histogram_quantile; sparkline scales to its range', () => {
    expect(
      quantile(0.5, {
        buckets: [
          [1, 0],
          [2, 10],
          [Number.POSITIVE_INFINITY, 10],
        ],
        count: 10,
        sum: 15,
      }),
    ).toBe(1.5);
    expect(quantile(0.5, { buckets: [], count: 0, sum: 0 })).toBeUndefined();
    expect(sparkline([0, 5, 10])).toBe('▁▅█');
    expect(sparkline([3, 3])).toBe('▁▁');
  });
});

describe('omnicache stats (built CLI)', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('prints the view once, or one JSON object; exit 3 when the target is unreachable or not Prometheus', async () => {
    let body = exposition(60, 40, 10);
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const run = runCliAsync;
    const text = await run(['stats', '--url', url]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/cache app {2}hit ratio 70\.0%/);
    expect(text.stdout).toContain('\u2502 l3   \u2502 25.0%');
    expect(text.stdout).not.toContain('\x1b['); // not a terminal: no colours
    const json = await run(['stats', '--url', url, '--json']);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.caches[0].cache).toBe('app');
    expect(parsed.caches[0].tiers[1].circuit).toBe('open');
    const other = await run(['stats', '--url', url, '--cache', 'nope']);
    expect([other.status, other.stderr]).toEqual([
      3,
      expect.stringMatching(/reports no OmniCache metrics for cache "nope"/),
    ]);
    body = 'this is { not prometheus';
    const bad = await run(['stats', '--url', url]);
    expect([bad.status, bad.stderr]).toEqual([3, expect.stringMatching(/does not serve Prometheus text/)]);
    server.close();
    const gone = await run(['stats', '--url', url]);
    expect(gone.status).toBe(3);
    expect(gone.stderr).toMatch(/cannot reach .*ECONNREFUSED.*is the service running/);
    const missing = await run(['stats']);
    expect([missing.status, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/required option '--url <url>'/),
    ]);
    const usage = await run(['stats', '--url', 'ftp://x']);
    expect([usage.status, usage.stderr]).toEqual([
      2,
      expect.stringMatching(/--url must be an http\(s\) URL/),
    ]);
  });
});

/** The server above runs in this process: the CLI must run without blocking the event loop. */
async function runCliAsync(args: string[]) {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((r) => child.on('exit', r));
  return { status, stdout, stderr };
}

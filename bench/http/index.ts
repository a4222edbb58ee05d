/**
 * HTTP response caching: requests/s and latency of a cached route answered from the cache (all hits after
 * warm-up), against the same route uncached, and against Express peers (apicache, route-cache); plus how many
 * times the handler runs when 50 identical requests arrive together on a cold key (thundering herd).
 * Servers run in their own process; the load generator (undici, 32 connections) in this one. Rounds alternate
 * the variants; medians over rounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONNECTIONS = 32;
const KEYS = 100;
const HERD = 50;
const VARIANTS = [
  'fastify',
  'fastify+omnicache',
  'express',
  'express+omnicache',
  'express+apicache',
  'express+route-cache',
] as const;
type Variant = (typeof VARIANTS)[number];

const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));
const tsxBin = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

interface Server {
  base: string;
  child: ChildProcess;
}

function startServer(variant: Variant): Promise<Server> {
  const child = spawn(process.execPath, [tsxBin, serverFile, variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ base: `http://127.0.0.1:${JSON.parse(line).port}`, child });
    });
    child.once('exit', (code) => reject(new Error(`${variant} server exited (${code})`)));
  });
}

async function load(pool: Pool, paths: (i: number) => string, n: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path: paths(i) });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} for ${paths(i)}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return {
    rps: n / ((performance.now() - started) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

async function calls(pool: Pool): Promise<number> {
  const res = await pool.request({ method: 'GET', path: '/calls' });
  return ((await res.body.json()) as { calls: number }).calls;
}

export async function httpBench(): Promise<void> {
  const servers = new Map<Variant, Server>();
  const pools = new Map<Variant, Pool>();
  for (const v of VARIANTS) {
    const s = await startServer(v);
    servers.set(v, s);
    pools.set(v, new Pool(s.base, { connections: CONNECTIONS }));
  }
  const samples = new Map<Variant, { rps: number[]; p50: number[]; p99: number[] }>(
    VARIANTS.map((v) => [v, { rps: [], p50: [], p99: [] }]),
  );
  const herd = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  try {
    // warm-up: every key cached, JIT warm
    for (const v of VARIANTS) await load(pools.get(v)!, (i) => `/items/${i % KEYS}`, REQUESTS / 2);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const v of order) {
        const r = await load(pools.get(v)!, (i) => `/items/${i % KEYS}`, REQUESTS);
        const s = samples.get(v)!;
        s.rps.push(r.rps);
        s.p50.push(r.p50);
        s.p99.push(r.p99);
        const pool = pools.get(v)!;
        const before = await calls(pool);
        await Promise.all(
          Array.from({ length: HERD }, async () =>
            (await pool.request({ method: 'GET', path: `/slow/r${round}` })).body.arrayBuffer(),
          ),
        );
        herd.get(v)!.push((await calls(pool)) - before);
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
  } finally {
    for (const p of pools.values()) await p.close();
    for (const s of servers.values()) s.child.kill();
  }
  const baseline = (v: Variant) => (v.startsWith('fastify') ? 'fastify' : 'express') as Variant;
  const rows = VARIANTS.map((v) => {
    const s = samples.get(v)!;
    const rps = median(s.rps);
    return {
      variant: v,
      rps,
      vsUncached: rps / median(samples.get(baseline(v))!.rps),
      p50ms: median(s.p50),
      p99ms: median(s.p99),
      herdHandlerRuns: median(herd.get(v)!),
      herdMax: Math.max(...herd.get(v)!),
    };
  });
  writeResults(
    'http',
    {
      rounds: ROUNDS,
      requestsPerRound: REQUESTS,
      connections: CONNECTIONS,
      keys: KEYS,
      herd: HERD,
      rows,
      samples: Object.fromEntries(samples),
      herdRuns: Object.fromEntries(herd),
    },
    [
      {
        title: `Cached route, all hits: ${REQUESTS} requests per round over ${KEYS} URLs, ${CONNECTIONS} connections, median of ${ROUNDS} rounds`,
        columns: [
          'variant',
          'req/s',
          'x uncached',
          'p50 ms',
          'p99 ms',
          `handler runs for ${HERD} identical cold requests (median, max)`,
        ],
        rows: rows.map((r) => [
          r.variant,
          r.rps,
          r.vsUncached,
          r.p50ms,
          r.p99ms,
          `${r.herdHandlerRuns}, ${r.herdMax}`,
        ]),
        notes: [
          'The route renders a ~4 KB JSON document (40 items) per handler run; cached variants answer it from memory after warm-up.',
          '"x uncached" is the ratio to the same framework without any cache, in the same run.',
          'Herd: 50 concurrent requests for a new URL whose handler takes 50 ms; uncached variants run it 50 times by definition.',
        ],
      },
    ],
  );
}

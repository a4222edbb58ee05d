// Turns the lines the chaos tests append to $OMNICACHE_CHAOS_REPORT into the table of docs/reliability.md:
//   OMNICACHE_CHAOS_REPORT=/tmp/chaos.jsonl node scripts/pnpm.mjs exec vitest run --project test test/chaos  (x3)
//   (cd test && npx tsx chaos/report-table.ts /tmp/chaos.jsonl)
import { readFileSync } from 'node:fs';

interface Line {
  name: string;
  ops: number;
  errors: number;
  allowedErrors: number;
  wrong: number;
  stale: number;
  maxStalenessMs: number;
  latency: { p99: number; max: number; budgetMs: number };
  heapGrowthMB: number;
  opens: string;
}

/** Scenario -> [fault and how it is made, what the cache promises]. */
const SCENARIOS: Record<string, [string, string]> = {
  'redis-kill': [
    'Redis crash: SIGKILL, restarted empty 2.5 s later',
    'calls go on from L1 and the loader; L2 skipped while the circuit is open, used again after restart',
  ],
  'redis-partition': [
    'Redis unreachable: toxiproxy disabled (connections cut and refused) for 2.5 s, data kept',
    'as above; values written meanwhile are in the writer’s L1, other instances see them within the TTL',
  ],
  'redis-slow': [
    'Redis slow: 400 ms latency (2.3 s), then a 4 KB/s pipe (1.5 s)',
    'no call waits more than the tier budget per tier; the breaker stops paying it',
  ],
  'redis-slow-within-budget': [
    'Redis slow inside its budget: 100 ms latency, 100 ms hard timeout, 5 ms loader',
    'a loader that answers in time is a success even when the write-back is slow (fixed: it was a TimeoutError)',
  ],
  'redis-flapping': [
    'Redis flapping: link down/up every 300 ms for 3.3 s',
    'no error; breaker opens and closes',
  ],
  'redis-reset-peer': ['Redis connections reset by peer: toxiproxy reset_peer for 2.5 s', 'no error'],
  'redis-cluster-failover': [
    'Redis Cluster: a master SIGKILLed, its replica promoted (cluster-node-timeout 1 s)',
    'no error; the cluster is used again once the client sees the new master (promoted ~2.5 s after the kill)',
  ],
  'gcs-5xx-and-hang': [
    'GCS (L3): 50% of requests answered 503 for 2.3 s, then every request hangs for 1.7 s',
    'no error; a hanging request costs at most requestTimeoutMs and is then cancelled (fixed: uploads stayed open for good)',
  ],
  'fs-full-disk': [
    'fsTier (L3) on a full disk: every write fails (EFBIG) for 2.5 s',
    'no error; reads still served; no temp file left behind',
  ],
  'loader-fail-and-hang': [
    'Loader throws for 2 s, then hangs past the 200 ms hard timeout for 2 s (5,000 keys)',
    'a value within grace is served (no error); otherwise a typed LoaderError/TimeoutError, only while broken, within the hard timeout',
  ],
  'kafka-broker-restart': [
    'Kafka bus: broker SIGKILLed, restarted (10-15 s to come back)',
    'callers never wait for the bus; nothing dropped; invalidation works again both ways after recovery',
  ],
};

const lines = readFileSync(process.argv[2] ?? '/tmp/chaos.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Line);
const byName = new Map<string, Line[]>();
for (const l of lines) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);

const range = (xs: number[]) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi
    ? lo.toLocaleString('en-US')
    : `${lo.toLocaleString('en-US')}-${hi.toLocaleString('en-US')}`;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const out = [
  '| fault (injected) | the cache promises | runs | calls per run | errors to callers | wrong values | stale past bound (max staleness ms) | p99 / max ms (budget) | breaker opens per instance | heap growth MB (max) |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const [name, runs] of byName) {
  const [fault, promise] = SCENARIOS[name] ?? [name, ''];
  const typed = sum(runs.map((r) => r.allowedErrors));
  out.push(
    `| ${fault} | ${promise} | ${runs.length} | ${range(runs.map((r) => r.ops))} | ${sum(runs.map((r) => r.errors))}${typed > 0 ? ` (+${range(runs.map((r) => r.allowedErrors))} typed, loader broken)` : ''} | ${sum(runs.map((r) => r.wrong))} | ${sum(runs.map((r) => r.stale))} (${Math.max(...runs.map((r) => Math.round(r.maxStalenessMs)))}) | ${Math.max(...runs.map((r) => r.latency.p99)).toFixed(1)} / ${Math.max(...runs.map((r) => r.latency.max)).toFixed(0)} (${runs[0]!.latency.budgetMs}) | ${[...new Set(runs.map((r) => r.opens))].join('; ')} | ${Math.max(...runs.map((r) => r.heapGrowthMB)).toFixed(1)} |`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);

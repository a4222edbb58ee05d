// `npm run bench -- fuzz`: the fuzz properties of sdk/core/test/reliability/fuzz-properties.ts (short runs of them
// are in `npm test`) with many more runs, plus keys and tags through a real Redis that the bench starts
// (127.0.0.1, free port) and stops. Not a timing benchmark: it reports runs, seeds, outcomes and what the runs saw.
// FUZZ_RUNS scales the runs (default 1 = the numbers below); FUZZ_SEED fixes the seed of every property.

import { redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import {
  type FuzzOutcome,
  type FuzzProperty,
  keysAndTags,
  localProperties,
} from '../../sdk/core/test/reliability/fuzz-properties.js';
import { ensureDebianPackages } from '../../test/services/debian-packages.js';
import { startRedis } from '../../test/services/redis.js';
import { type Table, writeResults } from '../lib/report.js';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** Runs per property (the codec ones are cheap; the ones that go through a tier do I/O per run). */
const RUNS: Record<string, number> = {
  'codec: decode random bytes': 50_000,
  'codec: decode mutated unencrypted envelopes, checksum on': 20_000,
  'codec: decode mutated unencrypted envelopes, checksum off (default)': 20_000,
  'codec: decode mutated encrypted envelopes': 10_000,
  'cache: set/get round-trip of random values (or InvalidValueError)': 10_000,
  'config: createCache with random objects': 10_000,
};
const TIER_RUNS = 1_000;

export async function fuzzBench(): Promise<void> {
  await ensureDebianPackages([{ binary: 'redis-server', pkg: 'redis-server' }]);
  const redis = await startRedis({ name: 'bench-fuzz-redis' });
  const properties: FuzzProperty[] = [
    ...localProperties,
    keysAndTags('redis', async () => ({
      tier: redisTier({ connection: redis.url }),
      cleanup: () => Promise.resolve(),
    })),
  ];
  const outcomes: FuzzOutcome[] = [];
  try {
    for (const p of properties) {
      const runs = Math.max(1, Math.round((RUNS[p.name] ?? TIER_RUNS) * SCALE));
      process.stderr.write(`${p.name}: ${runs} runs ...\n`);
      const o = await p.run(runs, SEED);
      outcomes.push(o);
      if (o.failed) process.stderr.write(`  FAILED (seed ${o.seed}): ${o.failure}\n`);
    }
  } finally {
    await redis.stop();
  }
  const table: Table = {
    title: 'Fuzz properties',
    columns: ['property', 'runs', 'seed', 'result', 'time (s)', 'runs/s', 'what the runs saw'],
    rows: outcomes.map((o) => [
      o.name,
      o.runs,
      String(o.seed),
      o.failed ? 'FAILED' : 'passed',
      o.ms / 1000,
      o.runs / (o.ms / 1000),
      Object.entries(o.counts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    ]),
    notes: [
      'With codec.checksum on, unencrypted envelopes carry a CRC-32: the property fails if any damaged one decodes at all ("checksum mismatch": caught by the CRC; "DecodeError": refused before it, by magic, version or length). Without it (the default, and records written before it) structural damage is detected (DecodeError) but a change inside a value that keeps it valid msgpack is not ("undetected"). Encrypted envelopes (AES-256-GCM) and fs entry files (CRC-32) detect every change the runs made.',
      'A failure prints its seed and shrunk counterexample; rerun one property with FUZZ_SEED=<seed>.',
    ],
  };
  writeResults('fuzz', { scale: SCALE, outcomes }, [table]);
  if (outcomes.some((o) => o.failed)) process.exitCode = 1;
}

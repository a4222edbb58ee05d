import { fileURLToPath } from 'node:url';
import { readTrace } from '@omnicache/cli/simulate';
import { ArcPolicy, DenseIndex, LruPolicy, type ReplacementPolicy } from 'omnicache';
import { writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';
import { zipfStream } from '../lib/zipf.js';
import { contestants } from './contestants.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const P12 = fileURLToPath(new URL('../../../shared/data/traces/arc/P12.lis.gz', import.meta.url));

async function loadTrace(file: string): Promise<Int32Array> {
  const parts: Int32Array[] = [];
  let n = 0;
  for await (const c of readTrace(file, 'arc')) {
    parts.push(c.ids.slice(0, c.length));
    n += c.length;
  }
  const all = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function replay(policy: ReplacementPolicy<number>, ids: Int32Array): number {
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i++) policy.access(ids[i]!);
  return ids.length / ((performance.now() - t0) / 1000);
}

export async function policiesBench(): Promise<void> {
  const c = 32768;
  const replayRows: (string | number)[][] = [];
  const replayData: Record<string, number[]> = {};
  const hitRatios: Record<string, number> = {};
  try {
    process.stderr.write(`loading ${P12} ...\n`);
    const ids = await loadTrace(P12);
    const variants: Record<string, () => ReplacementPolicy<number>> = {
      'arc (Map index)': () => new ArcPolicy<number>(c),
      'lru (Map index)': () => new LruPolicy<number>(c),
      'arc (dense index)': () => new ArcPolicy<number>(c, new DenseIndex()),
      'lru (dense index)': () => new LruPolicy<number>(c, new DenseIndex()),
    };
    const names = Object.keys(variants);
    for (let r = 0; r < Math.min(ROUNDS, 5); r++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length]!;
        globalThis.gc?.();
        const policy = variants[name]!();
        replayData[name] ??= [];
        replayData[name].push(replay(policy, ids));
        const s = policy.snapshot();
        hitRatios[name] = s.hits / (s.hits + s.misses);
        process.stderr.write(
          `  replay round ${r + 1} ${name}: ${Math.round(replayData[name]!.at(-1)!).toLocaleString()} acc/s\n`,
        );
      }
    }
    for (const name of names) {
      const s = replayData[name]!;
      replayRows.push([
        name,
        median(s),
        quantile(s, 0.1),
        quantile(s, 0.9),
        (100 * hitRatios[name]!).toFixed(2),
      ]);
    }
  } catch (err) {
    process.stderr.write(`P12 replay skipped: ${(err as Error).message}\n`);
  }

  // get/set on Zipf(0.99) over 1M keys, capacity 100k: get, and set on a miss.
  const KEYS = 1_000_000;
  const CAP = 100_000;
  const OPS = 2_000_000;
  const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}:profile`);
  const stream = zipfStream(KEYS, 0.99, OPS);
  const value = { ok: true };
  const names = Object.keys(contestants);
  const opsPerSec: Record<string, number[]> = {};
  const getsetHitRatios: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      globalThis.gc?.();
      const cache = contestants[name]!(CAP);
      let hits = 0;
      const t0 = performance.now();
      for (let j = 0; j < OPS; j++) {
        const k = keys[stream[j]!]!;
        if (cache.get(k) !== undefined) hits++;
        else cache.set(k, value);
      }
      const secs = (performance.now() - t0) / 1000;
      opsPerSec[name] ??= [];
      opsPerSec[name].push(OPS / secs);
      getsetHitRatios[name] = hits / OPS;
    }
    process.stderr.write(`  get/set round ${r + 1}/${ROUNDS} done\n`);
  }
  const base = median(opsPerSec['lru-cache']!);
  const getsetRows = names.map((n) => {
    const s = opsPerSec[n]!;
    return [
      n,
      median(s),
      quantile(s, 0.1),
      quantile(s, 0.9),
      (median(s) / base).toFixed(2),
      (100 * getsetHitRatios[n]!).toFixed(2),
    ];
  });
  writeResults(
    'policies',
    {
      replay: {
        trace: 'P12',
        capacity: c,
        rounds: Math.min(ROUNDS, 5),
        accessesPerSecond: replayData,
        hitRatio: hitRatios,
      },
      getset: {
        keys: KEYS,
        capacity: CAP,
        ops: OPS,
        zipf: 0.99,
        rounds: ROUNDS,
        opsPerSecond: opsPerSec,
        hitRatio: getsetHitRatios,
      },
    },
    [
      {
        title: `P12 replay, c = ${c} (accesses/s, ${Math.min(ROUNDS, 5)} rounds)`,
        columns: ['policy', 'median', 'p10', 'p90', 'hit %'],
        rows: replayRows,
        notes: [
          '"dense index" is the simulator path (keys remapped to 0..n-1); "Map index" is what the L1 tier uses.',
        ],
      },
      {
        title: `get/set, Zipf(0.99) over ${KEYS.toLocaleString()} keys, capacity ${CAP.toLocaleString()}, ${OPS.toLocaleString()} ops (ops/s, ${ROUNDS} rounds)`,
        columns: ['cache', 'median', 'p10', 'p90', 'vs lru-cache', 'hit %'],
        rows: getsetRows,
        notes: [
          'Each op is get(key); a miss is followed by set(key). Order of contestants rotates each round.',
          'quick-lru keeps up to 2 × maxSize entries (two generations), which raises its hit ratio.',
        ],
      },
    ],
  );
}

// L1 hit throughput: N keys warmed in every library, then awaited get / getOrSet hits in a loop.
import { median, quantile } from '../lib/stats.js';
import { mulberry32 } from '../lib/zipf.js';
import { bentocache, cacheManager, type Endpoint, omnicache } from './libs.js';

/** One library's hit loops. Each contestant has its own loop functions so every call site stays monomorphic. */
interface HitContestant {
  name: string;
  warm(keys: readonly string[], values: readonly object[]): Promise<void>;
  /** n awaited get()s of keys[idx[from..from+n)]; returns how many came back undefined. */
  get(keys: readonly string[], idx: Int32Array, from: number, n: number): Promise<number>;
  /** n awaited getOrSet()s; returns how many times the loader ran. */
  getOrSet(keys: readonly string[], idx: Int32Array, from: number, n: number): Promise<number>;
  close(): Promise<void>;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)));
  }
}

function contestants(ep: Endpoint, n: number): HitContestant[] {
  const omni = omnicache(ep, 'bench-l1-omni', { l1Capacity: 2 * n });
  const bentoRaw = bentocache(ep, 'bench-l1-bento', { maxItems: 2 * n, serialize: false });
  const bentoJson = bentocache(ep, 'bench-l1-bento-json', { maxItems: 2 * n, serialize: true });
  const cm = cacheManager(ep, 'bench-l1-cm', true);
  return [
    {
      name: 'omnicache (ARC L1 + Redis)',
      warm: (keys, values) => inBatches(keys, 500, (k, i) => omni.set(k, values[i])),
      async get(keys, idx, from, count) {
        let misses = 0;
        for (let i = 0; i < count; i++) {
          if ((await omni.get(keys[idx[(from + i) % idx.length]!]!)) === undefined) misses++;
        }
        return misses;
      },
      async getOrSet(keys, idx, from, count) {
        let loads = 0;
        const loader = async () => {
          loads++;
          return { loaded: true };
        };
        for (let i = 0; i < count; i++) await omni.getOrSet(keys[idx[(from + i) % idx.length]!]!, loader);
        return loads;
      },
      close: () => omni.close(),
    },
    ...[
      { name: 'bentocache (memory serialize:false + Redis)', bento: bentoRaw },
      { name: 'bentocache (memory default serialize:true + Redis)', bento: bentoJson },
    ].map(
      ({ name, bento }): HitContestant => ({
        name,
        warm: (keys, values) => inBatches(keys, 500, (k, i) => bento.set({ key: k, value: values[i] })),
        async get(keys, idx, from, count) {
          let misses = 0;
          for (let i = 0; i < count; i++) {
            const v: unknown = await bento.get({ key: keys[idx[(from + i) % idx.length]!]! });
            if (v === undefined || v === null) misses++;
          }
          return misses;
        },
        async getOrSet(keys, idx, from, count) {
          let loads = 0;
          const factory = async () => {
            loads++;
            return { loaded: true };
          };
          for (let i = 0; i < count; i++) {
            await bento.getOrSet({ key: keys[idx[(from + i) % idx.length]!]!, factory });
          }
          return loads;
        },
        close: () => bento.disconnect(),
      }),
    ),
    {
      name: 'cache-manager (Keyv memory + Keyv Redis)',
      warm: (keys, values) => inBatches(keys, 500, (k, i) => cm.set(k, values[i])),
      async get(keys, idx, from, count) {
        let misses = 0;
        for (let i = 0; i < count; i++) {
          if ((await cm.get(keys[idx[(from + i) % idx.length]!]!)) === undefined) misses++;
        }
        return misses;
      },
      async getOrSet(keys, idx, from, count) {
        let loads = 0;
        const fn = async () => {
          loads++;
          return { loaded: true };
        };
        for (let i = 0; i < count; i++) await cm.wrap(keys[idx[(from + i) % idx.length]!]!, fn);
        return loads;
      },
      close: async () => {
        await cm.disconnect();
      },
    },
  ];
}

const OPS = ['get', 'getOrSet'] as const;
type Op = (typeof OPS)[number];

export interface HitResults {
  keys: number;
  rounds: number;
  minMsPerSample: number;
  /** opsPerSecond[op][contestant] = one sample per round */
  opsPerSecond: Record<Op, Record<string, number[]>>;
  rows: { op: Op; name: string; median: number; p10: number; p90: number; misses: number }[];
}

/** Runs chunks of the loop until `minMs` elapsed; returns ops/s and the misses (get) or loader calls (getOrSet). */
async function measure(
  c: HitContestant,
  op: Op,
  keys: readonly string[],
  idx: Int32Array,
  start: number,
  minMs: number,
): Promise<{ opsPerSec: number; misses: number }> {
  const CHUNK = 20_000;
  let done = 0;
  let misses = 0;
  globalThis.gc?.();
  const t0 = performance.now();
  let elapsed = 0;
  do {
    misses += await c[op](keys, idx, start + done, CHUNK);
    done += CHUNK;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs);
  return { opsPerSec: done / (elapsed / 1000), misses };
}

export async function l1Hits(ep: Endpoint, n: number, rounds: number, minMs: number): Promise<HitResults> {
  const keys = Array.from({ length: n }, (_, i) => `user:${i}:profile`);
  const values = keys.map((_, i) => ({ id: i, name: `user ${i}`, active: i % 3 !== 0, score: i * 7 }));
  const random = mulberry32(7);
  const idx = new Int32Array(1 << 20);
  for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(random() * n);
  const all = contestants(ep, n);
  const opsPerSecond: HitResults['opsPerSecond'] = { get: {}, getOrSet: {} };
  const misses: Record<string, number> = {};
  try {
    for (const c of all) await c.warm(keys, values);
    // Unmeasured warm-up (JIT) of every loop.
    for (const c of all) for (const op of OPS) await measure(c, op, keys, idx, 0, Math.min(minMs, 100));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < all.length; i++) {
        const c = all[(i + r) % all.length]!;
        for (const op of r % 2 === 0 ? OPS : [...OPS].reverse()) {
          const m = await measure(c, op, keys, idx, (r * 7919) % idx.length, minMs);
          opsPerSecond[op][c.name] = [...(opsPerSecond[op][c.name] ?? []), m.opsPerSec];
          misses[`${op} ${c.name}`] = (misses[`${op} ${c.name}`] ?? 0) + m.misses;
        }
      }
      process.stderr.write(`  L1 hits round ${r + 1}/${rounds} done\n`);
    }
  } finally {
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
  const rows: HitResults['rows'] = [];
  for (const op of OPS) {
    for (const c of all) {
      const s = opsPerSecond[op][c.name]!;
      rows.push({
        op,
        name: c.name,
        median: median(s),
        p10: quantile(s, 0.1),
        p90: quantile(s, 0.9),
        misses: misses[`${op} ${c.name}`] ?? 0,
      });
    }
  }
  return { keys: n, rounds, minMsPerSample: minMs, opsPerSecond, rows };
}

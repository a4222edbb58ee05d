// Cost of conditional write-backs and delete tombstones (docs/invalidation.md, "Write-backs that span an
// invalidation"): the same OmniCache operations with the default Redis tier (write-back = EVALSHA compare-and-set,
// key delete = EVAL tombstone script) and with `tombstoneMs: 0` (plain SET / UNLINK, what every version before did),
// plus raw ioredis SET and UNLINK of the same bytes as the floor. Sequential awaited calls on fresh keys.
import { Redis } from 'ioredis';
import { type Cache, createCache } from 'omnicache';
import { redisTier } from 'omnicache/redis';
import { median, quantile } from '../lib/stats.js';
import { type Endpoint, TTL_MS } from './libs.js';

/** Calls per turn: variants alternate in blocks of this many. */
const BLOCK = 100;

export interface WriteBackRow {
  op: string;
  name: string;
  p50: number;
  p99: number;
  p50p10: number;
  p50p90: number;
  /** Median over rounds of (this p50 / the unconditional variant's p50 in the same round). */
  ratio: number | undefined;
}

export interface WriteBackResults {
  rounds: number;
  samplesPerRound: number;
  valueBytes: number;
  rows: WriteBackRow[];
  checks: string[];
}

interface Variant {
  op: 'getOrSet miss (load + write-back)' | 'delete';
  name: string;
  /** The row its ratio is taken against. */
  base?: string;
  prepare?(key: string): Promise<unknown>;
  run(key: string): Promise<unknown>;
}

export async function writeBackCost(
  ep: Endpoint,
  rounds: number,
  samples: number,
  valueBytes: number,
): Promise<WriteBackResults> {
  const client = new Redis(ep.port, ep.host);
  const value = 'x'.repeat(valueBytes);
  const bytes = Buffer.from(value);
  const conditional = createCache({
    name: 'wb-cond',
    l1: { capacity: 1 },
    l2: redisTier({ client }),
    defaults: { ttl: TTL_MS },
  });
  const plain = createCache({
    name: 'wb-plain',
    l1: { capacity: 1 },
    l2: redisTier({ client, tombstoneMs: 0 }),
    defaults: { ttl: TTL_MS },
  });
  const load = (c: Cache) => (key: string) => c.getOrSet(key, () => value);
  const conditionalName = 'omnicache, conditional write-back (default)';
  const plainName = 'omnicache, tombstoneMs: 0 (plain SET, as before)';
  const variants: Variant[] = [
    {
      op: 'getOrSet miss (load + write-back)',
      name: 'raw ioredis SET PX (same value bytes)',
      run: (k) => client.set(k, bytes, 'PX', TTL_MS),
    },
    { op: 'getOrSet miss (load + write-back)', name: plainName, run: load(plain) },
    {
      op: 'getOrSet miss (load + write-back)',
      name: conditionalName,
      base: plainName,
      run: load(conditional),
    },
    {
      op: 'delete',
      name: 'raw ioredis UNLINK (of a stored value)',
      prepare: (k) => client.set(k, bytes, 'PX', TTL_MS),
      run: (k) => client.unlink(k),
    },
    {
      op: 'delete',
      name: 'omnicache delete, tombstoneMs: 0 (UNLINK)',
      prepare: (k) => plain.set(k, value),
      run: (k) => plain.delete(k),
    },
    {
      op: 'delete',
      name: 'omnicache delete, tombstone script (default)',
      base: 'omnicache delete, tombstoneMs: 0 (UNLINK)',
      prepare: (k) => conditional.set(k, value),
      run: (k) => conditional.delete(k),
    },
  ];
  const perRound = new Map<string, { p50: number; p99: number }[]>();
  const checks: string[] = [];
  let seq = 0;
  try {
    // Warm-up: connections, script cache, JIT.
    for (const v of variants) {
      for (let i = 0; i < 200; i++) {
        const k = `wb-warm-${seq++}`;
        await v.prepare?.(k);
        await v.run(k);
      }
    }
    for (let round = 0; round < rounds; round++) {
      const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (let done = 0; done < samples; done += BLOCK) {
        for (const v of order) {
          const t = times.get(v.name)!;
          for (let i = 0; i < BLOCK; i++) {
            const k = `wb-${round}-${seq++}`;
            await v.prepare?.(k);
            const start = process.hrtime.bigint();
            await v.run(k);
            t.push(Number(process.hrtime.bigint() - start) / 1000);
          }
        }
      }
      for (const [name, t] of times) {
        const list = perRound.get(name) ?? [];
        list.push({ p50: median(t), p99: quantile(t, 0.99) });
        perRound.set(name, list);
      }
    }
    const cs = conditional.stats();
    const ps = plain.stats();
    checks.push(
      `conditional cache: ${cs.loader.calls} loader calls, ${cs.tiers.l2?.sets ?? 0} L2 sets, ${cs.loader.writeBacksRefused} refused write-backs, ${cs.tiers.l2?.errors ?? 0} L2 errors`,
      `plain cache: ${ps.loader.calls} loader calls, ${ps.tiers.l2?.sets ?? 0} L2 sets, ${ps.tiers.l2?.errors ?? 0} L2 errors`,
    );
    if ((cs.tiers.l2?.errors ?? 0) > 0 || cs.loader.writeBacksRefused > 0)
      throw new Error(`write-back bench: unexpected L2 errors or refusals (${checks.join('; ')})`);
  } finally {
    await conditional.close();
    await plain.close();
    await client.quit();
  }
  const rows = variants.map((v): WriteBackRow => {
    const r = perRound.get(v.name)!;
    const p50s = r.map((x) => x.p50);
    const base = v.base === undefined ? undefined : perRound.get(v.base)!;
    return {
      op: v.op,
      name: v.name,
      p50: median(p50s),
      p99: median(r.map((x) => x.p99)),
      p50p10: quantile(p50s, 0.1),
      p50p90: quantile(p50s, 0.9),
      ratio: base === undefined ? undefined : median(r.map((x, i) => x.p50 / base[i]!.p50)),
    };
  });
  return { rounds, samplesPerRound: samples, valueBytes, rows, checks };
}

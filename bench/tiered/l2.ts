// L2 hit latency: sequential awaited reads that every library must serve from Redis (not from its L1).
import { tracingChannel } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import type { Cache } from 'omnicache';
import { median, quantile } from '../lib/stats.js';
import { mulberry32 } from '../lib/zipf.js';
import { type Bento, bentocache, cacheManager, type Endpoint, omnicache } from './libs.js';

/** The reader of a cache with codec.checksum: true (compared with 'omnicache get', the default: no checksum). */
export const CHECKSUM_ON = 'omnicache get, checksum on';

/** Reads per turn: readers alternate in blocks of this many. */
const L2_BLOCK = 100;

interface Reader {
  name: string;
  /** Name of the raw reader this one is compared with (same Redis keys, same bytes), if any. */
  raw?: string;
  /** Bytes stored in Redis for one value (measured). */
  storedBytes: number;
  read(key: string): Promise<unknown>;
  /** Checks one returned value. */
  ok(v: unknown): boolean;
  /** Counter snapshot used to prove that the reads were served by L2 ([l1 hits, l2 hits]); omnicache only. */
  servedBy?(): [number, number];
}

export interface L2Row {
  size: string;
  name: string;
  storedBytes: number;
  p50: number;
  p99: number;
  p50p10: number;
  p50p90: number;
  /** Median over rounds of (this p50 / raw p50 in the same round). */
  ratio: number | undefined;
  raw: string | undefined;
}

export interface L2Results {
  rounds: number;
  samplesPerRound: number;
  keysPerSize: number;
  /** perRound[size][reader] = [{ p50, p99 }] in microseconds */
  perRound: Record<string, Record<string, { p50: number; p99: number }[]>>;
  rows: L2Row[];
  checks: string[];
}

function randomString(len: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const random = mulberry32(seed);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * 64)]!;
  return s;
}

/** STRLEN of the first key matching `pattern` (SCAN until one is found). */
async function strlen(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    const k = keys[0];
    if (k !== undefined) return client.strlen(k);
    cursor = next;
  } while (cursor !== '0');
  throw new Error(`no Redis key matches ${pattern}`);
}

const omniCounters = (c: Cache): [number, number] => {
  const s = c.stats();
  return [s.tiers.l1.hits, s.tiers.l2?.hits ?? 0];
};

async function readersFor(
  ep: Endpoint,
  raw: Redis,
  label: string,
  size: number,
  keys: readonly string[],
  closers: (() => Promise<unknown>)[],
): Promise<Reader[]> {
  const value = randomString(size, size);
  const isValue = (v: unknown) => v === value;
  // L1 capacity 1 and keys read in a cycle: each read misses L1, is served by Redis and promoted (evicting the previous one).
  const omni = omnicache(ep, `bench-l2-omni-${label}`, { l1Capacity: 1 });
  closers.push(() => omni.close());
  // The same keys through a tier without tombstones: reads without the key's state (what a load's write-back needs).
  const stateless = omnicache(ep, `bench-l2-omni-${label}`, { l1Capacity: 1, tombstoneMs: 0 });
  closers.push(() => stateless.close());
  const bento = bentocache(ep, `bench-l2-bento-${label}`, { maxItems: 1, serialize: true });
  closers.push(() => bento.disconnect());
  const cm = cacheManager(ep, `bench-l2-cm-${label}`, false);
  closers.push(() => cm.disconnect());
  // Small batches: a burst of hundreds of concurrent 64 KB writes can exceed the tiers' command timeouts
  // (OmniCache absorbs an L2 write failure by design, which would leave keys missing).
  for (let i = 0; i < keys.length; i += 8) {
    await Promise.all(
      keys
        .slice(i, i + 8)
        .flatMap((k) => [omni.set(k, value), bento.set({ key: k, value }), cm.set(k, value)]),
    );
  }
  // The same cache with the CRC-32 (codec.checksum: true): what the checksum costs per read.
  const checked = omnicache(ep, `bench-l2-omnisum-${label}`, { l1Capacity: 1, checksum: true });
  closers.push(() => checked.close());
  for (let i = 0; i < keys.length; i += 8)
    await Promise.all(keys.slice(i, i + 8).map((k) => checked.set(k, value)));
  const omniPrefix = `bench-l2-omni-${label}::`;
  const rawName = `raw ioredis getBuffer (omnicache's stored bytes)`;
  const readers: Reader[] = [
    {
      name: rawName,
      storedBytes: await strlen(raw, `${omniPrefix}*`),
      read: (k) => raw.getBuffer(omniPrefix + k),
      ok: (v) => Buffer.isBuffer(v) && v.length > 0,
    },
    {
      name: 'omnicache get',
      raw: rawName,
      storedBytes: await strlen(raw, `${omniPrefix}*`),
      read: (k) => omni.get(k),
      ok: isValue,
      servedBy: () => omniCounters(omni),
    },
    {
      name: 'omnicache getOrSet',
      raw: rawName,
      storedBytes: await strlen(raw, `${omniPrefix}*`),
      read: (k) => omni.getOrSet(k, () => Promise.reject(new Error('loader must not run: value is in L2'))),
      ok: isValue,
      servedBy: () => omniCounters(omni),
    },
    {
      name: CHECKSUM_ON,
      storedBytes: await strlen(raw, `bench-l2-omnisum-${label}::*`),
      read: (k) => checked.get(k),
      ok: isValue,
      servedBy: () => omniCounters(checked),
    },
    {
      name: 'omnicache getOrSet, tombstoneMs: 0 (no state read)',
      raw: rawName,
      storedBytes: await strlen(raw, `${omniPrefix}*`),
      read: (k) =>
        stateless.getOrSet(k, () => Promise.reject(new Error('loader must not run: value is in L2'))),
      ok: isValue,
      servedBy: () => omniCounters(stateless),
    },
    {
      name: 'bentocache get (L1 maxItems 1)',
      storedBytes: await strlen(raw, `bench-l2-bento-${label}*`),
      read: (k) => bento.get({ key: k }),
      ok: isValue,
    },
    {
      name: 'cache-manager get (Keyv Redis)',
      storedBytes: await strlen(raw, `bench-l2-cm-${label}*`),
      read: (k) => cm.get(k),
      ok: isValue,
    },
  ];
  if (size > 8192) {
    // The default codec stores payloads as they are; this variant shows what opt-in brotli costs.
    const plain = omnicache(ep, `bench-l2-omnibrotli-${label}`, { l1Capacity: 1, compress: true });
    closers.push(() => plain.close());
    for (let i = 0; i < keys.length; i += 8)
      await Promise.all(keys.slice(i, i + 8).map((k) => plain.set(k, value)));
    const plainPrefix = `bench-l2-omnibrotli-${label}::`;
    const plainRaw = `raw ioredis getBuffer (brotli variant's stored bytes)`;
    const bytes = await strlen(raw, `${plainPrefix}*`);
    // Each random value compresses to a slightly different size: check every key against its own length.
    const compressedLength = new Map<string, number>();
    for (const k of keys) compressedLength.set(plainPrefix + k, await raw.strlen(plainPrefix + k));
    let lastKey = '';
    readers.push(
      {
        name: plainRaw,
        storedBytes: bytes,
        read: (k) => {
          lastKey = plainPrefix + k;
          return raw.getBuffer(lastKey);
        },
        ok: (v) => Buffer.isBuffer(v) && v.length === compressedLength.get(lastKey),
      },
      {
        name: 'omnicache get, brotli on (opt-in)',
        raw: plainRaw,
        storedBytes: bytes,
        read: (k) => plain.get(k),
        ok: isValue,
        servedBy: () => omniCounters(plain),
      },
    );
  }
  await verifyBento(bento, keys, label);
  return readers;
}

/**
 * Proves that a cycle over the keys is served by BentoCache's L2: its "bentocache.cache.operation" tracing
 * channel reports the tier of each get (its cache:hit event says "l1" for L2 hits too, so it cannot be used).
 */
async function verifyBento(bento: Bento, keys: readonly string[], label: string): Promise<void> {
  const tiers = new Map<string, number>();
  const channel = tracingChannel<object>('bentocache.cache.operation');
  const noop = () => {};
  const subscribers = {
    start: noop,
    end: noop,
    asyncStart: noop,
    error: noop,
    asyncEnd: (m: object) => {
      const tier = String((m as { tier?: unknown }).tier);
      tiers.set(tier, (tiers.get(tier) ?? 0) + 1);
    },
  };
  channel.subscribe(subscribers);
  try {
    for (let i = 0; i < 50; i++) await bento.get({ key: keys[i % keys.length]! });
  } finally {
    channel.unsubscribe(subscribers);
  }
  if (tiers.get('l2') !== 50) {
    throw new Error(`bentocache ${label}: expected 50 L2 hits, saw ${JSON.stringify([...tiers])}`);
  }
}

/** n sequential awaited reads; appends their latencies (µs) to `us`. */
async function sample(
  r: Reader,
  keys: readonly string[],
  n: number,
  offset: number,
  us: number[],
): Promise<void> {
  const before = r.servedBy?.();
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[(offset + i) % keys.length]!;
    const t0 = performance.now();
    const v = await r.read(k);
    us.push((performance.now() - t0) * 1000);
    if (!r.ok(v)) bad++;
  }
  if (bad > 0) throw new Error(`${r.name}: ${bad} of ${n} reads returned a wrong or missing value`);
  if (before !== undefined) {
    const after = r.servedBy!();
    if (after[0] !== before[0] || after[1] - before[1] !== n) {
      throw new Error(
        `${r.name}: reads were not all served by L2 (L1 hits +${after[0] - before[0]}, L2 hits +${after[1] - before[1]} of ${n})`,
      );
    }
  }
}

export async function l2Latency(
  ep: Endpoint,
  rounds: number,
  samplesPerRound: number,
  keysPerSize: number,
): Promise<L2Results> {
  const raw = new Redis({ host: ep.host, port: ep.port });
  const closers: (() => Promise<unknown>)[] = [() => raw.quit()];
  const perRound: L2Results['perRound'] = {};
  const rows: L2Row[] = [];
  const checks: string[] = [];
  try {
    for (const [label, size] of [
      ['1 KB', 1024],
      ['64 KB', 65536],
    ] as const) {
      const keys = Array.from({ length: keysPerSize }, (_, i) => `l2:${i}`);
      const readers = await readersFor(ep, raw, label.replace(' ', ''), size, keys, closers);
      const byName: Record<string, { p50: number; p99: number }[]> = {};
      perRound[label] = byName;
      // Warm-up (connections, JIT): one short unmeasured pass each.
      for (const r of readers) await sample(r, keys, 200, 0, []);
      for (let round = 0; round < rounds; round++) {
        globalThis.gc?.();
        // Readers take turns in blocks (rotating order), so load changes on the machine hit all of them alike.
        const us = readers.map((): number[] => []);
        for (let b = 0; b * L2_BLOCK < samplesPerRound; b++) {
          for (let i = 0; i < readers.length; i++) {
            const j = (i + b + round) % readers.length;
            await sample(readers[j]!, keys, L2_BLOCK, round * 31 + b * L2_BLOCK, us[j]!);
          }
        }
        readers.forEach((r, j) => {
          const s = us[j]!;
          byName[r.name] = [...(byName[r.name] ?? []), { p50: median(s), p99: quantile(s, 0.99) }];
        });
        process.stderr.write(`  L2 ${label} round ${round + 1}/${rounds} done\n`);
      }
      for (const r of readers) {
        const s = byName[r.name]!;
        const p50s = s.map((x) => x.p50);
        const rawRounds = r.raw === undefined ? undefined : byName[r.raw];
        rows.push({
          size: label,
          name: r.name,
          storedBytes: r.storedBytes,
          p50: median(p50s),
          p99: median(s.map((x) => x.p99)),
          p50p10: quantile(p50s, 0.1),
          p50p90: quantile(p50s, 0.9),
          ratio: rawRounds === undefined ? undefined : median(s.map((x, j) => x.p50 / rawRounds[j]!.p50)),
          raw: r.raw,
        });
        if (r.servedBy !== undefined)
          checks.push(`${label} ${r.name}: every measured read was an L1 miss and an L2 hit (cache.stats())`);
      }
      checks.push(`${label} bentocache: 50 reads checked through its tracing channel, all tier "l2"`);
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
  return { rounds, samplesPerRound, keysPerSize, perRound, rows, checks };
}

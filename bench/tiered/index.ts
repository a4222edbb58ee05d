// `npm run bench -- tiered`: OmniCache vs BentoCache (memory + Redis) and cache-manager (Keyv Redis) on one
// Redis that the bench starts (127.0.0.1, free port) and stops at the end, also on failure.
import { ensureDebianPackages } from '../../test/services/debian-packages.js';
import { startRedis } from '../../test/services/redis.js';
import { type Table, writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';
import { checksumFunctionCost } from './checksum.js';
import { l1Hits } from './hits.js';
import { CHECKSUM_ON, l2Latency } from './l2.js';
import { stampede } from './stampede.js';
import { writeBackCost } from './write-back.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const L1_KEYS = 10_000;
const L1_MIN_MS = 300;
const L2_SAMPLES = 2_000;
const L2_KEYS = 256;
const STAMPEDE_PROCESSES = 4;
const STAMPEDE_CALLS = 250;
const STAMPEDE_LOADER_MS = 50;
const STAMPEDE_ROUNDS = Math.max(1, Math.min(ROUNDS, 3));
const WB_SAMPLES = 2_000;
const WB_VALUE_BYTES = 1024;

const L1_TARGET = 1.5;
const L2_TARGET = 1.1;
/** codec.checksum would be on by default only if it cost less than this on an L2 hit (p50, same rounds). */
const CHECKSUM_TARGET = 1.03;
const BENTO_FAST = 'bentocache (memory serialize:false + Redis)';
const BENTO_DEFAULT = 'bentocache (memory default serialize:true + Redis)';

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const x = (v: number) => `${v.toFixed(2)}x`;

export async function tieredBench(): Promise<void> {
  await ensureDebianPackages([{ binary: 'redis-server', pkg: 'redis-server' }]);
  const redis = await startRedis({ name: 'bench-redis' });
  process.stderr.write(`redis-server on ${redis.host}:${redis.port}\n`);
  const ep = { host: redis.host, port: redis.port };
  try {
    process.stderr.write('L1 hit throughput ...\n');
    const hits = await l1Hits(ep, L1_KEYS, ROUNDS, L1_MIN_MS);
    process.stderr.write('L2 hit latency ...\n');
    const l2 = await l2Latency(ep, ROUNDS, L2_SAMPLES, L2_KEYS);
    process.stderr.write('checksum functions ...\n');
    const fnCost = checksumFunctionCost(ROUNDS);
    process.stderr.write('stampede ...\n');
    const st = await stampede(ep, STAMPEDE_PROCESSES, STAMPEDE_CALLS, STAMPEDE_LOADER_MS, STAMPEDE_ROUNDS);
    process.stderr.write('write-back and delete cost ...\n');
    const wb = await writeBackCost(ep, ROUNDS, WB_SAMPLES, WB_VALUE_BYTES);

    const summary: (string | number)[][] = [];
    const hitRows = hits.rows.map((r) => {
      const fast = hits.rows.find((b) => b.op === r.op && b.name === BENTO_FAST)!.median;
      const dflt = hits.rows.find((b) => b.op === r.op && b.name === BENTO_DEFAULT)!.median;
      const isOmni = r.name.startsWith('omnicache');
      if (isOmni) {
        const ratio = r.median / fast;
        summary.push([
          `L1 hit ${r.op} ops/s vs BentoCache (serialize:false)`,
          `>= ${L1_TARGET}x`,
          x(ratio),
          ratio >= L1_TARGET ? 'met' : `NOT met (${((1 - ratio / L1_TARGET) * 100).toFixed(0)}% short)`,
        ]);
      }
      return [
        r.op,
        r.name,
        r.median,
        r.p10,
        r.p90,
        x(r.median / fast),
        x(r.median / dflt),
        String(r.misses),
        isOmni ? met(r.median / fast >= L1_TARGET) : '',
      ];
    });
    const l2Rows = l2.rows.map((r) => {
      if (r.ratio !== undefined && r.name === 'omnicache get') {
        summary.push([
          `L2 hit ${r.size} p50 vs raw ioredis getBuffer (same bytes)`,
          `<= ${L2_TARGET}x`,
          x(r.ratio),
          r.ratio <= L2_TARGET
            ? 'met'
            : `NOT met (+${((r.ratio - L2_TARGET) * 100).toFixed(0)} points over; +${(((r.ratio - 1) * r.p50) / r.ratio).toFixed(0)} µs per read)`,
        ]);
      }
      return [
        r.size,
        r.name,
        r.storedBytes,
        r.p50,
        r.p99,
        `${r.p50p10.toFixed(0)}–${r.p50p90.toFixed(0)}`,
        r.ratio === undefined ? '' : x(r.ratio),
        r.ratio === undefined ? '' : met(r.ratio <= L2_TARGET),
      ];
    });
    // The checksum's cost on a remote read: the same reads through a cache with and without it, same rounds.
    const checksumRows = Object.entries(l2.perRound).map(([size, byName]) => {
      const off = byName['omnicache get']!;
      const on = byName[CHECKSUM_ON]!;
      const ratios = on.map((v, j) => v.p50 / off[j]!.p50);
      const ratio = median(ratios);
      const offP50 = median(off.map((v) => v.p50));
      summary.push([
        `L2 hit ${size} p50, checksum on vs off (same rounds)`,
        `<= ${CHECKSUM_TARGET}x (else off by default)`,
        x(ratio),
        ratio <= CHECKSUM_TARGET
          ? 'met'
          : `NOT met (+${((ratio - CHECKSUM_TARGET) * 100).toFixed(1)} points over)`,
      ]);
      const fn = (name: string) => fnCost.find((c) => c.size === size && c.fn.startsWith(name))!;
      const cell = (c: { us: number; p10: number; p90: number }) =>
        `${c.us.toFixed(2)} (${c.p10.toFixed(2)}–${c.p90.toFixed(2)})`;
      return [
        size,
        offP50,
        median(on.map((v) => v.p50)),
        x(ratio),
        `${quantile(ratios, 0.1).toFixed(3)}–${quantile(ratios, 0.9).toFixed(3)}`,
        cell(fn('crc32')),
        `${((fn('crc32').us / offP50) * 100).toFixed(1)} %`,
        cell(fn('sha256')),
        `${((fn('sha256').us / offP50) * 100).toFixed(1)} %`,
        met(ratio <= CHECKSUM_TARGET),
      ];
    });
    const stRows = st.rows.map((r) => {
      const isLock = r.lib === 'omnicache + RedisLock';
      if (isLock) {
        const max = Math.max(...r.loaderCalls);
        summary.push([
          `stampede loader calls (${STAMPEDE_PROCESSES} processes x ${STAMPEDE_CALLS})`,
          '1',
          r.loaderCalls.join(', '),
          max === 1 ? 'met' : `NOT met (up to ${max})`,
        ]);
      }
      return [
        r.lib,
        r.loaderCalls.join(', '),
        String(r.medianCalls),
        r.distinctValues.join(', '),
        String(r.errors),
        r.p50Ms,
        r.maxMs,
        isLock ? met(Math.max(...r.loaderCalls) === 1) : '',
      ];
    });

    const wbRows = wb.rows.map((r) => [
      r.op,
      r.name,
      r.p50,
      r.p99,
      `${r.p50p10.toFixed(0)}–${r.p50p90.toFixed(0)}`,
      r.ratio === undefined ? '' : x(r.ratio),
    ]);
    const tables: Table[] = [
      {
        title: 'Targets',
        columns: ['measure', 'target', 'measured (median)', 'status'],
        rows: summary,
      },
      {
        title: `L1 hit throughput, ${L1_KEYS.toLocaleString('en-US')} warm keys, uniform random hits (ops/s, ${hits.rounds} rounds)`,
        columns: [
          'op',
          'cache',
          'median',
          'p10',
          'p90',
          'vs bento serialize:false',
          'vs bento default',
          'misses / loader calls',
          `target >= ${L1_TARGET}x`,
        ],
        rows: hitRows,
        notes: [
          'Each sample: sequential awaited calls (chunks of 20,000) for at least ' +
            `${L1_MIN_MS} ms; order of caches rotates each round, get/getOrSet order alternates.`,
          'Every cache has Redis configured as L2 and an L1 big enough for all keys (OmniCache ARC capacity 20,000; BentoCache maxItems 20,000); values are small objects.',
          "The target is checked against the faster BentoCache configuration (memory driver serialize:false, values kept by reference like OmniCache); BentoCache's default (serialize:true) stores JSON and parses it on every hit.",
          'cache-manager: getOrSet is wrap(); its L1 is a Keyv in-memory Map store in front of Keyv Redis.',
        ],
      },
      {
        title: `L2 hit latency (µs), sequential awaited reads, ${L2_SAMPLES.toLocaleString('en-US')} samples per round, ${l2.rounds} rounds`,
        columns: [
          'value',
          'reader',
          'stored bytes',
          'p50',
          'p99',
          'p50 p10–p90 over rounds',
          'p50 / raw p50',
          `target <= ${L2_TARGET}x`,
        ],
        rows: l2Rows,
        notes: [
          `Method: each library writes ${L2_KEYS} keys holding the same string value (random 64-symbol alphabet, 1,024 or 65,536 characters); reads cycle over the keys. OmniCache runs with l1.capacity = 1 (and BentoCache with memory maxItems = 1), so every read misses L1, is served by Redis and promoted into L1 (evicting the previous key): the measured path is the real L2-hit path, promotion included. cache-manager has only Keyv Redis here.`,
          'Proof that reads were L2 hits: OmniCache\'s stats() show +0 L1 hits and +N L2 hits for each measured batch (else the bench aborts); BentoCache\'s "bentocache.cache.operation" tracing channel reports tier "l2" for a checked pass of 50 reads (its cache:hit event labels L2 hits "l1", so it is not used).',
          'Within a round the readers take turns in blocks of 100 reads (rotating order), so a load burst on the machine hits all of them alike. p50 and p99 are the medians over rounds of each round\'s p50 / p99. The ratio is the median over rounds of (reader p50 / raw p50 in the same round); "raw" is ioredis getBuffer on the very Redis keys the OmniCache cache wrote (same bytes, envelope and all).',
          '"omnicache getOrSet, tombstoneMs: 0" reads the same keys through a Redis tier without tombstones: its GET does not name the key\'s state (which a load\'s conditional write-back needs), so the two getOrSet rows show what reading the state costs.',
          'The default codec does not compress. "brotli on (opt-in)" is a cache with codec { compressThreshold: 8192, compression: "brotli" }: the 64 KB value compresses to ~76 %, so the raw GET of its bytes moves less and OmniCache pays for decompression (synchronous, on the event loop).',
          ...l2.checks.map((c) => `check: ${c}`),
        ],
      },
      {
        title: `Checksum (codec.checksum, CRC-32) cost on an L2 hit, ${l2.rounds} rounds`,
        columns: [
          'value',
          'get p50, no checksum (default, µs)',
          'get p50, checksum on (µs)',
          'on / off p50 (median of rounds)',
          'ratio p10–p90 over rounds',
          'crc32 per record (µs, p10–p90)',
          'crc32 / off p50',
          'sha256 truncated per record (µs, p10–p90)',
          'sha256 / off p50',
          `target <= ${CHECKSUM_TARGET}x`,
        ],
        rows: checksumRows,
        notes: [
          `"no checksum" is the "omnicache get" reader of the L2 table (the default codec); "checksum on" the same reads through a cache with codec { checksum: true } (its own ${L2_KEYS} keys, 4 bytes longer each), taking turns with the other readers in the same blocks. The ratio is the median over rounds of (on p50 / off p50) in the same round. The target decides the default: codec.checksum is on by default only if both sizes meet it.`,
          'Checksum functions alone (no I/O), over a record of the stored size, in alternating batches (1 KB: 20,000 calls, 64 KB: 400 per batch; 20 batches per round each): crc32 is what codec.checksum runs once per encode and once per decode; SHA-256 truncated to 8 bytes is the alternative that was considered. The "/ off p50" columns set one call against the L2 hit without checksum.',
        ],
      },
      {
        title: `Stampede: ${STAMPEDE_PROCESSES} processes x ${STAMPEDE_CALLS} concurrent getOrSet on one cold key, loader = Redis INCR + ${STAMPEDE_LOADER_MS} ms sleep (${STAMPEDE_ROUNDS} rounds)`,
        columns: [
          'library',
          'loader calls per round',
          'median',
          'distinct values returned per round',
          'errors',
          'p50 time to value (ms)',
          'slowest (ms, median over rounds)',
          'target = 1',
        ],
        rows: stRows,
        notes: [
          'Workers are forked Node processes (kept for all rounds) that import the built SDK (package omnicache -> sdk/dist), bentocache and cache-manager; each round builds fresh caches on a fresh key, all workers start at a shared instant.',
          'OmniCache + RedisLock: lock: new RedisLock(client) (defaults ttl 10 s, poll 25 ms doubling to 250 ms). BentoCache: memory + Redis L2, no bus (its locking is in-process only). cache-manager: wrap() (in-process coalescing only).',
          'Loader calls are read from the Redis counter the loaders increment. "distinct values": the loader returns { loadedBy: pid, at }, so 1 means all 1,000 callers got the same value.',
        ],
      },
    ];
    tables.push({
      title: `Write-back and delete cost (µs), ${WB_VALUE_BYTES.toLocaleString('en-US')} B values, sequential awaited calls on fresh keys, ${wb.samplesPerRound.toLocaleString('en-US')} per round, ${wb.rounds} rounds`,
      columns: ['op', 'variant', 'p50', 'p99', 'p50 p10–p90 over rounds', 'p50 / tombstoneMs: 0 p50'],
      rows: wbRows,
      notes: [
        'getOrSet miss: L1 miss, L2 read (GET), a synchronous loader, encode, write-back. Default redisTier: the write-back is a compare-and-set script (EVALSHA) that refuses a value whose key was written or deleted since the read (docs/invalidation.md); tombstoneMs: 0 is the unconditional SET of earlier versions. delete: a key delete leaves a tombstone (EVAL of a short script) by default, UNLINK with tombstoneMs: 0.',
        'Variants take turns in blocks of 100 calls (rotating order per round); p50 and p99 are medians over rounds; the ratio is the median over rounds of (p50 / the tombstoneMs: 0 p50 in the same round).',
        ...wb.checks.map((c) => `check: ${c}`),
      ],
    });
    writeResults(
      'tiered',
      {
        config: {
          rounds: ROUNDS,
          l1: { keys: L1_KEYS, minMsPerSample: L1_MIN_MS },
          l2: { samplesPerRound: L2_SAMPLES, keys: L2_KEYS },
          stampede: {
            processes: STAMPEDE_PROCESSES,
            callsPerProcess: STAMPEDE_CALLS,
            loaderMs: STAMPEDE_LOADER_MS,
            rounds: STAMPEDE_ROUNDS,
          },
        },
        targets: summary.map(([measure, target, measured, status]) => ({
          measure,
          target,
          measured,
          status,
        })),
        l1Hits: hits,
        l2Latency: l2,
        checksumFunctionCost: fnCost,
        stampede: st,
        writeBack: wb,
      },
      tables,
    );
  } finally {
    await redis.stop();
  }
}

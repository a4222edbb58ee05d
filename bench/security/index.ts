import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Cache, Codec, createCache, Encryptor, localKeyRing, type StoredRecord } from 'omnicache';
import { redisTier } from 'omnicache/redis';
import { startRedis } from '../../test/services/redis.js';
import { writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const SIZES = [
  { label: '1 KB', bytes: 1024, ops: 4_000 },
  { label: '64 KB', bytes: 64 * 1024, ops: 1_000 },
];
const TARGET = 0.05;

/** A value of about `bytes` serialized bytes that does not compress (random base64 text). */
function incompressibleValue(bytes: number, i: number) {
  return {
    id: i,
    body: randomBytes(Math.floor((bytes * 3) / 4))
      .toString('base64')
      .slice(0, bytes - 16),
  };
}

/**
 * One round: `ops` getOrSet calls on each cache, interleaved call by call (off, on, on, off, ...), so both modes
 * see the same machine load; per-call latencies in µs. L1 holds 1 entry over 200 keys, so each call reads Redis.
 */
async function interleavedRound(
  caches: { off: Cache; on: Cache },
  keys: readonly string[],
  ops: number,
): Promise<{ off: number[]; on: number[] }> {
  const out = { off: new Array<number>(ops), on: new Array<number>(ops) };
  const mustNotLoad = () => Promise.reject(new Error('loader must not run: the value is in L2'));
  for (let i = 0; i < ops; i++) {
    const key = keys[i % keys.length]!;
    for (const mode of (i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as ('off' | 'on')[]) {
      const t0 = performance.now();
      await caches[mode].getOrSet(key, mustNotLoad);
      out[mode][i] = (performance.now() - t0) * 1000;
    }
  }
  return out;
}

const rec = (value: unknown): StoredRecord => ({
  version: 1,
  value,
  freshUntil: 2e12,
  staleUntil: 2e12,
  ttl: 1e6,
  tags: undefined,
});

/** MB/s of `fn` over `payload`-sized messages for ~`ms` milliseconds. */
function throughput(bytes: number, ms: number, fn: () => void): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    t = performance.now();
  }
  return (n * bytes) / 1e6 / ((t - t0) / 1000);
}

export async function securityBench(): Promise<void> {
  const provider = localKeyRing({ keys: [{ id: 'bench', key: randomBytes(32) }] });
  const redis = await startRedis({ name: 'bench-security-redis' });
  const l2Rows: (string | number)[][] = [];
  const l2Data: Record<string, unknown> = {};
  try {
    for (const size of SIZES) {
      const mk = (name: string, encrypted: boolean) =>
        createCache({
          name,
          l1: { capacity: 1 },
          l2: redisTier({ connection: { host: '127.0.0.1', port: redis.port } }),
          defaults: { ttl: 3_600_000 },
          ...(encrypted ? { encryption: { provider } } : {}),
        });
      const caches = { off: mk('bench_plain', false), on: mk('bench_enc', true) };
      const keys = Array.from({ length: 200 }, (_, i) => `order:${i}`);
      for (const mode of ['off', 'on'] as const) {
        for (let i = 0; i < keys.length; i++)
          await caches[mode].set(keys[i]!, incompressibleValue(size.bytes, i));
      }
      process.stderr.write(`getOrSet via L2, ${size.label}: encryption off vs on\n`);
      await interleavedRound(caches, keys, size.ops); // warm-up (JIT, connections, data keys)
      const s = { off: [] as number[][], on: [] as number[][] };
      for (let r = 0; r < ROUNDS; r++) {
        globalThis.gc?.();
        const round = await interleavedRound(caches, keys, size.ops);
        s.off.push(round.off);
        s.on.push(round.on);
        process.stderr.write(`  round ${r + 1}/${ROUNDS}\n`);
      }
      // p50 of each round, then the median over rounds
      const p = (mode: 'off' | 'on', q: number) => median(s[mode].map((r) => quantile(r, q)));
      const p50Off = p('off', 0.5);
      const p50On = p('on', 0.5);
      const overhead = p50On / p50Off - 1;
      const ratios = s.on.map((r, i) => quantile(r, 0.5) / quantile(s.off[i]!, 0.5));
      l2Rows.push([
        size.label,
        p50Off,
        p50On,
        `${(100 * overhead).toFixed(1)}%`,
        p50On - p50Off,
        `${quantile(ratios, 0.1).toFixed(3)}–${quantile(ratios, 0.9).toFixed(3)}`,
        p('off', 0.99),
        p('on', 0.99),
        `<= ${(100 * TARGET).toFixed(0)}%`,
        overhead <= TARGET ? 'met' : 'not met',
      ]);
      const enc = caches.on.stats().encryption!;
      l2Data[size.label] = {
        ops: size.ops,
        p50OffUs: p50Off,
        p50OnUs: p50On,
        p50Overhead: overhead,
        p99OffUs: p('off', 0.99),
        p99OnUs: p('on', 0.99),
        decryptions: enc.decryptions,
        dekCacheMisses: enc.dekCache.misses,
      };
      await Promise.all([caches.off.close(), caches.on.close()]);
    }
  } finally {
    await redis.stop();
  }

  // Raw AES-GCM: the codec's seal+open (HKDF message key, commitment, header, AAD) vs node:crypto alone.
  const rawRows: (string | number)[][] = [];
  const rawData: Record<string, unknown> = {};
  const key = randomBytes(32);
  for (const size of SIZES) {
    const payload = randomBytes(size.bytes);
    const plain = new Codec({ compressThreshold: false });
    const encryptor = new Encryptor('bench', { provider });
    const sealed = new Codec({ compressThreshold: false, encryptor });
    await sealed.encode(rec(payload), 'bench::k'); // data key generated once
    // nonces drawn from a pre-filled pool, as the codec does, so the baseline pays no per-call RNG either
    const nonces = randomBytes(12 * 4096);
    let n = 0;
    const nodeOnly = () => {
      const at = (n++ % 4096) * 12;
      const nonce = nonces.subarray(at, at + 12);
      const c = createCipheriv('aes-256-gcm', key, nonce);
      c.setAAD(nonce);
      const ct = Buffer.concat([c.update(payload), c.final()]);
      const d = createDecipheriv('aes-256-gcm', key, nonce);
      d.setAAD(nonce);
      d.setAuthTag(c.getAuthTag());
      Buffer.concat([d.update(ct), d.final()]);
    };
    const codecSealed = () => {
      const b = sealed.encode(rec(payload), 'bench::k') as Uint8Array;
      sealed.decode(b, 'bench::k');
    };
    const codecPlain = () => plain.decode(plain.encode(rec(payload)));
    // short blocks, many rounds, order rotated every round: the three variants see the same machine load
    const ms = 100;
    const variants = [
      ['node', nodeOnly],
      ['sealed', codecSealed],
      ['plain', codecPlain],
    ] as const;
    const samples = { node: [] as number[], sealed: [] as number[], plain: [] as number[] };
    for (let r = 0; r < ROUNDS * 4; r++) {
      for (let v = 0; v < variants.length; v++) {
        const [name, fn] = variants[(v + r) % variants.length]!;
        samples[name].push(throughput(size.bytes, ms, fn));
      }
    }
    const m = { node: median(samples.node), sealed: median(samples.sealed), plain: median(samples.plain) };
    // per-round ratios (the two ran back to back in each round)
    const ratios = samples.sealed.map((v, i) => v / samples.node[i]!);
    rawRows.push([
      size.label,
      m.node,
      m.sealed,
      `${median(ratios).toFixed(3)} (p10–p90 ${quantile(ratios, 0.1).toFixed(2)}–${quantile(ratios, 0.9).toFixed(2)})`,
      m.plain,
    ]);
    rawData[size.label] = { mbPerSecond: samples, medians: m };
  }

  writeResults('security', { rounds: ROUNDS, l2GetOrSet: l2Data, rawAesGcm: rawData }, [
    {
      title: `Encryption overhead on getOrSet through L2 (latency per call, µs; ${ROUNDS} rounds after a warm-up)`,
      columns: [
        'value',
        'p50 off',
        'p50 on',
        'p50 slower by',
        'p50 added (µs)',
        'on/off p50 p10–p90',
        'p99 off',
        'p99 on',
        'target',
        '',
      ],
      rows: l2Rows,
      notes: [
        'Real Redis (Debian redis-server on 127.0.0.1) started by test/services; two caches on it, one plain and one encrypting (local key ring, so no KMS round trip once the data key is cached, which is the steady state with any provider).',
        'L1 capacity 1 over 200 keys: each getOrSet reads Redis, decodes (decrypts) and promotes. Values are random base64 text, so they do not compress.',
        'The two caches are called alternately, call by call (order swapped every call), so both see the same machine load; p50/p99 per round, then the median over rounds.',
      ],
    },
    {
      title: 'Raw AES-256-GCM throughput, seal + open (MB/s of payload, medians)',
      columns: [
        'payload',
        'node:crypto alone',
        'codec encrypted',
        'codec / node:crypto (median of paired rounds)',
        'codec plain (no encryption)',
      ],
      rows: rawRows,
      notes: [
        'node:crypto alone: createCipheriv + createDecipheriv with a fixed key and a random 96-bit nonce per message (from a pre-drawn pool), nothing else.',
        'codec encrypted: Codec.encode + decode with encryption (msgpack serialization, envelope header with the wrapped data key and its commitment, AAD over cache/namespace/key/header, commitment check; HKDF runs once per data key, not per value); codec plain: the same without encryption.',
      ],
    },
  ]);
}

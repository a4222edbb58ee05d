// What a checksum of one stored record costs, without I/O: the CRC-32 codec.checksum uses (node:zlib crc32, once per
// encode and once per decode) and the alternative considered, SHA-256 truncated to 8 bytes (node:crypto).
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { median, quantile } from '../lib/stats.js';

export interface ChecksumFunctionRow {
  size: string;
  fn: 'crc32 (node:zlib)' | 'sha256, truncated (node:crypto)';
  /** Median over batches of the time per record (µs), and its p10-p90 over batches. */
  us: number;
  p10: number;
  p90: number;
}

/** µs per call of `f` over one batch of `n` calls. */
function perCall(f: () => unknown, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t0) * 1000) / n;
}

export function checksumFunctionCost(rounds: number): ChecksumFunctionRow[] {
  const rows: ChecksumFunctionRow[] = [];
  for (const [size, bytes, n] of [
    ['1 KB', 1077, 20_000],
    ['64 KB', 65591, 400],
  ] as const) {
    // the stored sizes of the L2 bench's records (envelope included)
    const record = randomBytes(bytes);
    const fns = {
      'crc32 (node:zlib)': () => crc32(record),
      'sha256, truncated (node:crypto)': () => createHash('sha256').update(record).digest().subarray(0, 8),
    } as const;
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
    for (const f of Object.values(fns)) perCall(f, n); // warm-up
    for (let r = 0; r < rounds * 20; r++) {
      // alternate which goes first, so drift on the machine hits both alike
      const order = r % 2 === 0 ? Object.entries(fns) : Object.entries(fns).reverse();
      for (const [name, f] of order) samples[name]!.push(perCall(f, n));
    }
    for (const fn of Object.keys(fns) as ChecksumFunctionRow['fn'][]) {
      const s = samples[fn]!;
      rows.push({ size, fn, us: median(s), p10: quantile(s, 0.1), p90: quantile(s, 0.9) });
    }
  }
  return rows;
}

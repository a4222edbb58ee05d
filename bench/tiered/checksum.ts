// What the CRC-32 of unencrypted records (codec.checksum) costs per record, codec only (no I/O): encode and
// decode of the same record with the checksum on and off, in alternating batches.
import { Codec, type StoredRecord } from 'omnicache';
import { median, quantile } from '../lib/stats.js';
import { mulberry32 } from '../lib/zipf.js';

export interface ChecksumCodecRow {
  size: string;
  op: 'encode' | 'decode';
  /** Median over rounds of the per-record time (µs), checksum on / off. */
  onUs: number;
  offUs: number;
  /** Median over rounds of (on - off) per record (µs), and its p10-p90 over rounds. */
  deltaUs: number;
  deltaP10: number;
  deltaP90: number;
}

function randomString(len: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const random = mulberry32(seed);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * 64)]!;
  return s;
}

/** µs per call of `f`, over a batch long enough to time (>= 20 ms). */
function perCall(f: () => unknown, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t0) * 1000) / n;
}

export function checksumCodecCost(rounds: number): ChecksumCodecRow[] {
  const rows: ChecksumCodecRow[] = [];
  for (const [label, size, n] of [
    ['1 KB', 1024, 2_000],
    ['64 KB', 65536, 100],
  ] as const) {
    const record: StoredRecord = {
      value: randomString(size, size),
      freshUntil: Date.now() + 60_000,
      staleUntil: Date.now() + 60_000,
      ttl: 60_000,
      tags: undefined,
      version: 1,
    };
    const on = new Codec();
    const off = new Codec({ checksum: false });
    const bytesOn = on.encode(record);
    const bytesOff = off.encode(record);
    for (const op of ['encode', 'decode'] as const) {
      const run = (c: Codec, bytes: Uint8Array) =>
        op === 'encode' ? () => c.encode(record) : () => c.decode(bytes);
      const fOn = run(on, bytesOn);
      const fOff = run(off, bytesOff);
      perCall(fOn, n);
      perCall(fOff, n); // warm-up
      const onUs: number[] = [];
      const offUs: number[] = [];
      const delta: number[] = [];
      for (let r = 0; r < rounds * 40; r++) {
        // alternate which goes first, so drift on the machine hits both alike
        const a = r % 2 === 0 ? perCall(fOn, n) : undefined;
        const b = perCall(fOff, n);
        const c = a ?? perCall(fOn, n);
        onUs.push(c);
        offUs.push(b);
        delta.push(c - b);
      }
      rows.push({
        size: label,
        op,
        onUs: median(onUs),
        offUs: median(offUs),
        deltaUs: median(delta),
        deltaP10: quantile(delta, 0.1),
        deltaP90: quantile(delta, 0.9),
      });
    }
  }
  return rows;
}

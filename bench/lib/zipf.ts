/** Deterministic PRNG so every library sees the same key stream (the demo workload's, seeded). */
import { mulberry32 } from '@omnicache/demo/workload';

export { mulberry32 };

/** Cumulative (unnormalised) Zipf(s) weights of ranks 0..n-1: P(rank k) ∝ 1/(k+1)^s. */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s;
    cdf[k] = sum;
  }
  return cdf;
}

/** The rank whose CDF interval holds `u` (0 <= u < 1), by binary search. */
export function zipfRank(cdf: Float64Array, u: number): number {
  const target = u * cdf[cdf.length - 1]!;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `length` draws of ranks 0..n-1 from Zipf(s): P(rank k) ∝ 1/(k+1)^s, by inverse CDF + binary search. */
export function zipfStream(n: number, s: number, length: number, seed = 42): Int32Array {
  const cdf = zipfCdf(n, s);
  const random = mulberry32(seed);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = zipfRank(cdf, random());
  // Scatter ranks over the key space so popularity is not correlated with key order.
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    const t = perm[k]!;
    perm[k] = perm[j]!;
    perm[j] = t;
  }
  for (let i = 0; i < length; i++) out[i] = perm[out[i]!]!;
  return out;
}

/**
 * The demo shop's correlated workload: a user opens a product page, then (after reading a moment) its reviews,
 * then its related items, then another product: one of the related ones (with probability `followRelated`) or one
 * chosen by Zipf popularity. Each key's loader is a simulated backend call. Deterministic per seed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from 'omnicache';

export interface ShopWorkloadOptions {
  products: number;
  /** Zipf exponent of product popularity. */
  skew: number;
  /** Pause before the reviews, before the related items, and before the next product (ms). */
  thinkMs: readonly [number, number, number];
  /** Simulated backend latency of every loader call (ms). */
  loaderMs: number;
  /** Probability that the next product is one of the current product's related products. */
  followRelated: number;
}

export const SHOP_WORKLOAD: ShopWorkloadOptions = {
  products: 60,
  skew: 1,
  thinkMs: [60, 60, 10],
  loaderMs: 5,
  followRelated: 0.5,
};

/** The 3 products a product's related-items page links to (fixed per product). */
export const relatedProducts = (p: number, n: number): [number, number, number] => [
  (p * 31 + 7) % n,
  (p * 17 + 3) % n,
  (p * 13 + 11) % n,
];

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Product ids drawn from Zipf(skew) over `n` products. */
export function productPicker(n: number, skew: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** skew;
    cdf[k] = sum;
  }
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The three pages of a product view, in the order a user asks for them. */
export const pageKeys = (product: number): [string, string, string] => [
  `product:${product}`,
  `reviews:${product}`,
  `related:${product}`,
];

export interface ShopBackend {
  /** Backend calls so far (demand loads and prefetches). */
  calls: number;
  load(context: { key: string }): Promise<{ key: string; body: string }>;
}

/** The simulated backend of one app instance, registered as the loader of every shop key pattern (for prefetch). */
export function shopBackend(cache: Cache, o: ShopWorkloadOptions): ShopBackend {
  const backend: ShopBackend = {
    calls: 0,
    load: async ({ key }) => {
      backend.calls++;
      await sleep(o.loaderMs);
      return { key, body: `page ${key}` };
    },
  };
  for (const pattern of ['product:*', 'reviews:*', 'related:*']) cache.registerLoader(pattern, backend.load);
  return backend;
}

/** One user browsing until `until`: product -> reviews -> related, with think times. Returns each request's start and latency. */
export async function browse(
  cache: Cache,
  backend: ShopBackend,
  o: ShopWorkloadOptions,
  seed: number,
  until: number,
): Promise<{ at: number; ms: number }[]> {
  const random = mulberry32(seed);
  const pick = productPicker(o.products, o.skew, random);
  const latencies: { at: number; ms: number }[] = [];
  let product = pick();
  while (Date.now() < until) {
    const keys = pageKeys(product);
    for (let i = 0; i < keys.length; i++) {
      const at = Date.now();
      const t = performance.now();
      await cache.getOrSet(keys[i]!, backend.load);
      latencies.push({ at, ms: performance.now() - t });
      await sleep(o.thinkMs[i]!);
    }
    product =
      random() < o.followRelated ? relatedProducts(product, o.products)[Math.floor(random() * 3)]! : pick();
  }
  return latencies;
}

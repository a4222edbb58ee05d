/**
 * One shop user: opens a product page, then (after reading a moment) its reviews, then its related items, then
 * another product: one of the related ones (with probability `followRelated`) or one chosen by Zipf popularity.
 * Deterministic per seed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from 'omnicache';
import { mulberry32, zipfPicker } from './random.js';
import type { ShopBackend } from './shop-backend.js';
import { pageKeys, relatedProducts, type ShopWorkloadOptions } from './shop-catalog.js';

export interface BrowseOptions {
  seed: number;
  /** The user stops before the next request once this time (epoch ms) has passed ... */
  until?: number;
  /** ... or once this signal is aborted (at least one of the two should be given). */
  signal?: AbortSignal;
  /** Called after each request with its start (epoch ms) and latency (ms). */
  onRequest?(at: number, ms: number): void;
}

/** Browses until `until` or `signal`; resolves with the number of requests made. */
export async function browse(
  cache: Cache,
  backend: ShopBackend,
  o: ShopWorkloadOptions,
  options: BrowseOptions,
): Promise<number> {
  const random = mulberry32(options.seed);
  const pick = zipfPicker(o.products, o.skew, random);
  const go = () => Date.now() < (options.until ?? Infinity) && options.signal?.aborted !== true;
  let requests = 0;
  let product = pick();
  while (go()) {
    const keys = pageKeys(product);
    for (let i = 0; i < keys.length; i++) {
      const at = Date.now();
      const t = performance.now();
      await cache.getOrSet(keys[i]!, backend.load);
      requests++;
      options.onRequest?.(at, performance.now() - t);
      await sleep(o.thinkMs[i]!);
    }
    product =
      random() < o.followRelated ? relatedProducts(product, o.products)[Math.floor(random() * 3)]! : pick();
  }
  return requests;
}

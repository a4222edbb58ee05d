/**
 * The shop's simulated backend (a database call of `loaderMs` per page), registered with
 * `cache.registerLoader(pattern, fn)` for every page pattern: the same loader serves demand reads (getOrSet) and,
 * with the cache's `prefetch` option, the prefetch executor's loads of hinted keys.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from 'omnicache';
import { SHOP_KEY_PATTERNS, type ShopWorkloadOptions } from './shop-catalog.js';

export interface ShopPage {
  key: string;
  body: string;
}

export interface ShopBackend {
  /** Backend calls so far (demand loads and prefetches). */
  calls: number;
  load(context: { key: string }): Promise<ShopPage>;
}

/** The backend of one app instance, registered as the loader of every shop key pattern of `cache`. */
export function shopBackend(cache: Cache, o: Pick<ShopWorkloadOptions, 'loaderMs'>): ShopBackend {
  const backend: ShopBackend = {
    calls: 0,
    load: async ({ key }) => {
      backend.calls++;
      await sleep(o.loaderMs);
      return { key, body: `page ${key}` };
    },
  };
  for (const pattern of SHOP_KEY_PATTERNS) cache.registerLoader(pattern, backend.load);
  return backend;
}

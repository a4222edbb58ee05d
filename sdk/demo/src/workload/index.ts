/**
 * The demo's workloads (`@omnicache/demo/workload`): what `npm run demo` drives, and what tests and benchmarks
 * reuse so they measure the workload the demo shows.
 * - phases: integer key streams that shift between recency, frequency and scan (ARC vs LRU);
 * - shop: correlated pages (product -> its reviews -> its related items) served through registered loaders, for
 *   learned prefetch.
 */
export { demoPhases, type Phase } from './phases.js';
export { mulberry32, zipfPicker } from './random.js';
export { type ShopBackend, type ShopPage, shopBackend } from './shop-backend.js';
export {
  pageKeys,
  relatedProducts,
  SHOP_KEY_PATTERNS,
  SHOP_WORKLOAD,
  type ShopWorkloadOptions,
} from './shop-catalog.js';
export { type BrowseOptions, browse } from './shop-user.js';

/**
 * The demo shop's catalogue and the shape of its traffic: products, each with a reviews page and a related-items
 * page, and how users move between them (think times, how often they follow a related product). The keys are
 * correlated: a product page is followed by its reviews, then its related items, which is what learned prefetch
 * can predict.
 */

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

/** The key patterns of the shop's pages (one registered loader each). */
export const SHOP_KEY_PATTERNS = ['product:*', 'reviews:*', 'related:*'] as const;

/** The 3 products a product's related-items page links to (fixed per product). */
export const relatedProducts = (p: number, n: number): [number, number, number] => [
  (p * 31 + 7) % n,
  (p * 17 + 3) % n,
  (p * 13 + 11) % n,
];

/** The three pages of a product view, in the order a user asks for them. */
export const pageKeys = (product: number): [string, string, string] => [
  `product:${product}`,
  `reviews:${product}`,
  `related:${product}`,
];

/**
 * Part of the live demo: a shop cache ("demo-shop") serving the correlated shop workload (workload/shop-*.ts:
 * product page -> its reviews -> its related items) for a few users, through loaders registered per key pattern.
 * With OMNICACHE_PREFETCH=on (and OMNICACHE_BUS_KAFKA_BROKERS) the cache has learned prefetch: it publishes its
 * sampled access stream to Kafka, the anomaly service's prefetch daemon (`npm run -s anomaly -- prefetch ...`)
 * learns the page order and sends hints back, and the executor loads the hinted pages through the same loaders.
 */
import { type Cache, createCache, type PrefetchStats, withPrefetchSession, withTimeout } from 'omnicache';
import { type DemoEnvironment, DemoEnvironmentError } from './environment.js';
import { type ShopBackend, shopBackend } from './workload/shop-backend.js';
import { SHOP_KEY_PATTERNS, SHOP_WORKLOAD } from './workload/shop-catalog.js';
import { browse } from './workload/shop-user.js';

/** The shop cache's name, which is also its prefetch group (the daemon's --group). */
export const SHOP_CACHE = 'demo-shop';
/** L1 entries: about a quarter of the catalogue's pages, so misses show (the live prefetch test's size). */
const SHOP_L1_CAPACITY = 45;
/** Concurrent users; each browses in a prefetch session of its own, so the model learns each user's order. */
const SHOP_USERS = 2;
const PREFETCH_READY_TIMEOUT_MS = 30_000;

export interface ShopDemo {
  readonly cache: Cache;
  /** Lines for the start banner: the cache, and how prefetch is set up. */
  readonly description: readonly string[];
  /** Starts the users (they browse until stop()). */
  start(): void;
  /** What the shop did since the previous report, one line. */
  report(): string;
  /** Stops the users and closes the cache. */
  stop(): Promise<void>;
}

interface Counts {
  hits: number;
  misses: number;
  calls: number;
  prefetch: PrefetchStats | undefined;
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');

function prefetchText(now: PrefetchStats | undefined, before: PrefetchStats | undefined): string {
  if (now === undefined) return 'prefetch off (OMNICACHE_PREFETCH=on to learn the page order)';
  const d = (f: (s: PrefetchStats) => number) => f(now) - (before === undefined ? 0 : f(before));
  const used = d((s) => s.used);
  const wasted = d((s) => s.wasted);
  return `prefetch: ${count(d((s) => s.hints))} hints, ${count(d((s) => s.issued))} issued, ${count(used)} used, ${count(wasted)} wasted (precision ${percent(used, used + wasted)}), ${count(d((s) => s.dropped.rate_limit))} dropped by rate limit`;
}

/** Creates the shop cache (with prefetch when the environment asks for it) and registers its loaders. */
export async function createShopDemo(environment: DemoEnvironment): Promise<ShopDemo> {
  const brokers = environment.bus?.transport === 'kafka' ? environment.bus.brokers : undefined;
  const prefetch =
    environment.prefetch && brokers !== undefined
      ? {
          bus: (await import('omnicache/kafka')).kafkaPrefetchBus({ brokers }),
          // samples go out every 10 ms: a user reads a page for 60 ms, hints must come back within that
          sample: { flushMs: 10 },
        }
      : undefined;
  const cache = createCache({
    name: SHOP_CACHE,
    l1: { capacity: SHOP_L1_CAPACITY, policy: 'arc' },
    ...(prefetch && { prefetch }),
  });
  const backend: ShopBackend = shopBackend(cache, SHOP_WORKLOAD);
  if (cache.prefetch !== undefined) {
    try {
      await withTimeout(cache.prefetch.ready, PREFETCH_READY_TIMEOUT_MS, 'starting the prefetch bus');
    } catch (error) {
      await cache.close();
      throw new DemoEnvironmentError(
        `prefetch for the shop cache did not start: ${(error as Error).message}; is Kafka running at OMNICACHE_BUS_KAFKA_BROKERS?`,
      );
    }
  }
  const description = [
    `shop cache "${SHOP_CACHE}": L1 ARC of ${SHOP_L1_CAPACITY} entries, ${SHOP_USERS} users browsing product -> reviews -> related, loaders registered for ${SHOP_KEY_PATTERNS.join(', ')}`,
    prefetch
      ? `prefetch on (Kafka, group ${SHOP_CACHE}); start the anomaly service's daemon: npm run -s anomaly -- prefetch --brokers ${brokers!.join(',')} --group ${SHOP_CACHE}`
      : 'prefetch off (OMNICACHE_PREFETCH=on with OMNICACHE_BUS_KAFKA_BROKERS to turn it on)',
  ];

  const stopping = new AbortController();
  let users: Promise<number>[] = [];
  const counts = (): Counts => {
    const s = cache.stats();
    return { hits: s.tiers.l1.hits, misses: s.tiers.l1.misses, calls: backend.calls, prefetch: s.prefetch };
  };
  let last = counts();
  return {
    cache,
    description,
    start() {
      if (users.length > 0) return;
      for (let u = 0; u < SHOP_USERS; u++) {
        users.push(
          withPrefetchSession(`user-${u}`, () =>
            browse(cache, backend, SHOP_WORKLOAD, { seed: Date.now() + u, signal: stopping.signal }),
          ),
        );
      }
    },
    report() {
      const now = counts();
      const lookups = now.hits + now.misses - last.hits - last.misses;
      const line = `shop "${SHOP_CACHE}": ${count(lookups)} page requests, L1 hit ${percent(now.hits - last.hits, lookups)}, ${count(now.calls - last.calls)} backend calls; ${prefetchText(now.prefetch, last.prefetch)}`;
      last = now;
      return line;
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled(users);
      users = [];
      await cache.close();
    },
  };
}

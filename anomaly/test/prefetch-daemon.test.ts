// The prefetch daemon against the real SDK over an in-memory transport: the cache's sampled access stream feeds
// the Markov model, hints come back, and the executor prefetches the key that follows (product -> reviews).
import type { Bus, BusHandler, BusOutgoing } from 'omnicache';
import {
  type Cache,
  createCache,
  encodePrefetchMessage,
  PREFETCH_MESSAGE_VERSION,
  PrefetchBus,
  withPrefetchSession,
} from 'omnicache';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefetchDaemon } from '../src/index.js';

/** Every started bus of a channel gets every message, asynchronously, like a network. */
class MemoryChannel {
  readonly handlers = new Set<BusHandler>();
  bus(): Bus {
    const channel = this;
    let mine: BusHandler | undefined;
    return {
      kind: 'redis',
      ordered: true,
      async start(_group: string, handler: BusHandler) {
        mine = handler;
        channel.handlers.add(handler);
      },
      async publish(messages: readonly BusOutgoing[]) {
        for (const m of messages) {
          queueMicrotask(() => {
            for (const h of channel.handlers) h.message(m.payload);
          });
        }
      },
      async close() {
        if (mine) channel.handlers.delete(mine);
      },
    };
  }
}

const channels = () => {
  const c = { access: new MemoryChannel(), hints: new MemoryChannel() };
  return () => new PrefetchBus('redis', (channel) => c[channel].bus());
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A Markov daemon and a cache with prefetch on, over one in-memory transport. */
async function markovLoop(): Promise<{ daemon: PrefetchDaemon; cache: Cache }> {
  const bus = channels();
  const daemon = new PrefetchDaemon({ bus: bus(), group: 'shop', model: 'markov', repeatMs: 0 });
  await daemon.start();
  closers.push(() => daemon.close());
  const cache: Cache = createCache({
    name: 'shop',
    l1: { capacity: 1000 },
    prefetch: { bus: bus(), hashKey: 'shared-secret-for-group', sample: { flushMs: 5 } },
  });
  closers.push(() => cache.close());
  return { daemon, cache };
}

describe('prefetch daemon', () => {
  it('learns product -> reviews from the access stream and the cache prefetches the reviews', async () => {
    const { daemon, cache } = await markovLoop();
    const loaded: string[] = [];
    cache.registerLoader('reviews:*', ({ key }) => {
      loaded.push(key);
      return `r-${key}`;
    });
    // Teach the sequence product:i -> reviews:i (each pair once), with the reviews gone again afterwards.
    for (let i = 0; i < 20; i++) {
      await cache.getOrSet(`product:${i}`, () => i);
      await cache.getOrSet(`reviews:${i}`, () => `r-${i}`);
    }
    await until(() => daemon.stats().samples >= 40);
    await cache.invalidate({ prefix: 'reviews:' });
    await cache.invalidate({ prefix: 'product:' });
    const before = cache.stats().prefetch!.issued;
    // Seen again: the model predicts reviews:5 after product:5.
    await cache.getOrSet('product:5', () => 5);
    await until(() => loaded.includes('reviews:5'));
    await until(() => cache.stats().prefetch!.outstanding >= 1);
    expect(cache.stats().prefetch!.issued).toBeGreaterThan(before);
    const misses = cache.stats().tiers.l1.misses;
    expect(await cache.getOrSet('reviews:5', () => 'loader-not-called')).toBe('r-reviews:5');
    expect(cache.stats().tiers.l1.misses).toBe(misses);
    expect(cache.stats().prefetch!.used).toBeGreaterThanOrEqual(1);
    expect(cache.stats().prefetch!.hintDelayMs.count).toBeGreaterThan(0);
    expect(daemon.stats()).toMatchObject({ rejected: 0, origins: 1 });
  });

  it('keeps interleaved users apart when their accesses run in prefetch sessions', async () => {
    const { daemon, cache } = await markovLoop();
    const loaded: string[] = [];
    for (const pattern of ['reviews:*', 'product:*']) {
      cache.registerLoader(pattern, ({ key }) => {
        loaded.push(key);
        return key;
      });
    }
    // Two users, access by access interleaved: a.product, b.product, a.reviews, b.reviews. One stream would teach
    // product:i -> product:(100+i); in sessions each user's own product -> reviews.
    const user = (id: string, key: string) => withPrefetchSession(id, () => cache.getOrSet(key, () => key));
    for (let i = 0; i < 20; i++) {
      await user('a', `product:${i}`);
      await user('b', `product:${100 + i}`);
      await user('a', `reviews:${i}`);
      await user('b', `reviews:${100 + i}`);
    }
    await until(() => daemon.stats().samples >= 80);
    await cache.invalidate({ prefix: 'reviews:' });
    await cache.invalidate({ prefix: 'product:' });
    await user('a', 'product:5');
    await until(() => loaded.includes('reviews:5'));
    await new Promise((r) => setTimeout(r, 50));
    expect(loaded).not.toContain('product:105'); // user b's key: never next in user a's session
  });

  it('rejects malformed messages and ignores other groups', async () => {
    const bus = channels();
    const daemon = new PrefetchDaemon({ bus: bus(), group: 'shop' });
    await daemon.start();
    closers.push(() => daemon.close());
    const client = bus();
    await client.start('shop', 'cache', () => {});
    closers.push(() => client.close());
    await client.publish('x', '{"v":1,"kind":"access"}');
    await client.publish('x', 'not json');
    await client.publish(
      'x',
      encodePrefetchMessage({
        v: PREFETCH_MESSAGE_VERSION,
        kind: 'access',
        group: 'other',
        origin: 'o1',
        samples: [{ ns: '', k: 'A'.repeat(22), t: Date.now(), tier: 'l1', cost: 0 }],
      }),
    );
    await until(() => daemon.stats().rejected === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(daemon.stats()).toMatchObject({ rejected: 2, messages: 0, samples: 0 });
  });
});

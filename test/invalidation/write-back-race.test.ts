// A load that spans an invalidation on another instance (docs/invalidation.md, "Write-backs that span an
// invalidation"), on real Redis (one node, and a Cluster with its sharded pub/sub): instance A's loader reads the
// source of truth and is held open; instance B changes the source and invalidates (or deletes, or sets) the key;
// then A's loader returns the old value while B's message has not reached A yet (A's side of the bus holds it).
// Nothing may serve the old value afterwards: not L2 (A's write-back is refused), not A's L1 (the refused value is
// dropped), not a third instance. A control run with tombstones off shows the old value would otherwise stay in L2.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type Cache, createCache } from '../../sdk/core/src/index.js';
import type { Bus, BusHandler, BusOutgoing } from '../../sdk/core/src/invalidation/bus.js';
import { redisBus, redisClusterBus, redisClusterTier, redisTier } from '../../sdk/core/src/redis.js';
import type { Tier } from '../../sdk/core/src/tiers/tier.js';

const redis = inject('redis');
const cluster = inject('redisCluster');

/** A real bus whose deliveries to this instance wait while `held` (message lag made long on purpose). */
class HeldBus implements Bus {
  held = false;
  readonly #waiting: (string | Uint8Array)[] = [];
  #handler: BusHandler | undefined;
  constructor(readonly inner: Bus) {}
  get kind() {
    return this.inner.kind;
  }
  get ordered() {
    return this.inner.ordered;
  }
  start(group: string, handler: BusHandler): Promise<void> {
    this.#handler = handler;
    return this.inner.start(group, {
      message: (p) => (this.held ? this.#waiting.push(p) : handler.message(p)),
      reset: (r) => handler.reset(r),
    });
  }
  publish(messages: readonly BusOutgoing[]): Promise<void> {
    return this.inner.publish(messages);
  }
  /** Delivers what waited; returns how many messages that was. */
  release(): number {
    this.held = false;
    const n = this.#waiting.length;
    for (const p of this.#waiting.splice(0)) this.#handler?.message(p);
    return n;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const until = async (what: string, check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

interface Setup {
  label: string;
  tier: (tombstoneMs?: number) => Tier;
  bus: () => Bus;
}

const setups: Setup[] = [
  {
    label: 'Redis',
    tier: (tombstoneMs) =>
      redisTier({ connection: redis.url, ...(tombstoneMs !== undefined && { tombstoneMs }) }),
    bus: () => redisBus({ connection: redis.url }),
  },
  {
    label: 'Redis Cluster',
    tier: (tombstoneMs) =>
      redisClusterTier({ nodes: cluster.startupNodes, ...(tombstoneMs !== undefined && { tombstoneMs }) }),
    bus: () => redisClusterBus({ nodes: cluster.startupNodes }),
  },
];

type Change = 'invalidate' | 'delete' | 'set';

describe.each(setups)('a load spanning an invalidation on another instance ($label)', (setup) => {
  const open: Cache[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  /** Runs the race; returns what each instance reads afterwards and what A counted. */
  async function race(change: Change, tombstoneMs?: number) {
    const name = `race-${randomBytes(5).toString('hex')}`;
    const aBus = new HeldBus(setup.bus());
    const make = (bus: Bus | undefined) => {
      const c = createCache({
        name,
        l1: { capacity: 100 },
        l2: setup.tier(tombstoneMs),
        ...(bus !== undefined && { bus: { bus, heartbeatMs: 60_000 } }),
      });
      open.push(c);
      return c;
    };
    const a = make(aBus);
    const b = make(setup.bus());
    await Promise.all([a.bus?.ready, b.bus?.ready]);

    let source = 'old';
    const gate = deferred<void>();
    let loaderStarted = false;
    const loading = a.getOrSet('k', async () => {
      const read = source; // the loader reads the source of truth now ...
      loaderStarted = true;
      await gate.promise; // ... and answers later
      return read;
    });
    await until('the loader to start', () => loaderStarted);

    // B changes the source and tells everyone; A does not hear of it yet.
    aBus.held = true;
    source = 'new';
    if (change === 'invalidate') await b.invalidate('k');
    else if (change === 'delete') await b.delete('k');
    else await b.set('k', 'new');
    await new Promise((r) => setTimeout(r, 50)); // B's message reaches A's (held) side of the bus

    gate.resolve();
    const answered = await loading;
    // Before A hears of the change: A's L1 and L2 (through B and a new instance C).
    const c = make(undefined);
    const before = { a: await a.get('k'), b: await b.get('k'), c: await c.get('k') };
    const released = aBus.release();
    await until('A to apply the message', () => (a.stats().invalidation?.messages.received ?? 0) >= 1);
    const after = { a: await a.get('k'), b: await b.get('k'), c: await c.get('k') };
    return { answered, before, after, released, refused: a.stats().loader.writeBacksRefused };
  }

  for (const change of ['invalidate', 'delete', 'set'] as const) {
    it(`B ${change}s while A's loader runs: A answers with what its loader read, nobody serves it afterwards`, async () => {
      const r = await race(change);
      expect(r.answered).toBe('old'); // the caller gets what the loader returned
      expect(r.released).toBeGreaterThanOrEqual(1); // B's message really was still on its way to A
      expect(r.refused).toBe(1);
      const expected = change === 'set' ? 'new' : undefined;
      expect(r.before).toEqual({ a: expected, b: expected, c: expected });
      expect(r.after).toEqual({ a: expected, b: expected, c: expected });
    });
  }

  it('control: with tombstones off (tombstoneMs: 0) the old value is written back and served from L2', async () => {
    const r = await race('invalidate', 0);
    expect(r.answered).toBe('old');
    expect(r.refused).toBe(0);
    expect(r.before).toEqual({ a: 'old', b: 'old', c: 'old' });
    expect(r.after.c).toBe('old'); // the gap this feature closes: until its TTL, every L1 miss reads it
  });
});

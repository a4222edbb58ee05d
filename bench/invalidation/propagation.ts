// Propagation latency: from the start of an invalidation on one instance to the key leaving the L1 of each other
// instance. Instances are caches in this process with their own connections (one event loop for all, the same
// for every library), over a Redis (and Kafka) on 127.0.0.1.
import type { BentoCache } from 'bentocache';
import { BentoCache as Bento, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { type Bus, type Cache, createCache } from 'omnicache';
import { kafkaBus } from 'omnicache/kafka';
import { redisBus, redisTier } from 'omnicache/redis';

export interface Endpoint {
  host: string;
  port: number;
}

/** One contestant: an origin and receivers that report when a key left their L1. */
export interface Contestant {
  name: string;
  /** Writes keys on the origin and makes every receiver hold them in L1. */
  warm(keys: readonly string[]): Promise<void>;
  /** Makes sure every receiver holds `key` in L1 right now (not timed). */
  prime(key: string): Promise<void>;
  /** Invalidates `key` on the origin. */
  invalidate(key: string): Promise<void>;
  /** Calls `cb(receiver, key)` when a key leaves a receiver's L1 because of the bus. */
  onEvicted(cb: (receiver: number, key: string) => void): void;
  close(): Promise<void>;
}

const TTL_MS = 10 * 60_000;
const TIER_BUDGET_MS = 1_000;

export function omnicacheContestant(
  name: string,
  ep: Endpoint,
  cacheName: string,
  makeBus: () => Bus,
  receivers: number,
): Contestant & { ready: Promise<unknown> } {
  const make = () =>
    createCache({
      name: cacheName,
      l1: { capacity: 100_000 },
      l2: redisTier({ connection: { host: ep.host, port: ep.port } }),
      defaults: { ttl: TTL_MS, timeouts: { tier: TIER_BUDGET_MS } },
      bus: { bus: makeBus(), heartbeatMs: 1_000 },
    });
  const origin = make();
  const others: Cache[] = [];
  for (let i = 0; i < receivers; i++) others.push(make());
  const all = [origin, ...others];
  return {
    name,
    ready: Promise.all(all.map((c) => c.bus?.ready)),
    async warm(keys) {
      for (const k of keys) await origin.set(k, { k });
      // Let every message about the writes, and the L1 re-cleans that follow them, pass first.
      await new Promise((r) => setTimeout(r, TIER_BUDGET_MS + 200));
      for (const c of others)
        for (const k of keys) if ((await c.get(k)) === undefined) throw new Error(`warm: ${k} missing`);
    },
    async prime(key) {
      for (const c of others) await c.get(key);
    },
    async invalidate(key) {
      await origin.invalidate(key);
    },
    onEvicted(cb) {
      others.forEach((c, i) => {
        c.events.on('evict', (e) => {
          if (e.reason === 'invalidated') cb(i, e.key.slice(e.key.lastIndexOf(':') + 1));
        });
      });
    },
    async close() {
      await Promise.all(all.map((c) => c.close()));
    },
  };
}

export function omnicacheRedis(ep: Endpoint, receivers: number) {
  const name = `bench-inv-redis-${Date.now()}`;
  return omnicacheContestant(
    'omnicache (Redis pub/sub)',
    ep,
    name,
    () => redisBus({ connection: { host: ep.host, port: ep.port } }),
    receivers,
  );
}

export function omnicacheKafka(ep: Endpoint, broker: string, receivers: number) {
  const name = `bench-inv-kafka-${Date.now()}`;
  return omnicacheContestant('omnicache (Kafka)', ep, name, () => kafkaBus({ brokers: [broker] }), receivers);
}

type Tiered = BentoCache<{ tiered: ReturnType<typeof bentostore> }>;

/** BentoCache with memory L1, Redis L2 and its Redis bus (delete() is its invalidation). */
export function bentocacheRedis(ep: Endpoint, receivers: number): Contestant & { ready: Promise<unknown> } {
  const prefix = `bench-inv-bento-${Date.now()}`;
  const connection = { host: ep.host, port: ep.port };
  const make = (): Tiered =>
    new Bento({
      default: 'tiered',
      prefix,
      ttl: TTL_MS,
      stores: {
        tiered: bentostore()
          .useL1Layer(memoryDriver({ maxItems: 100_000, serialize: false }))
          .useL2Layer(redisDriver({ connection }))
          .useBus(redisBusDriver({ connection })),
      },
    });
  const origin = make();
  const others: Tiered[] = [];
  for (let i = 0; i < receivers; i++) others.push(make());
  return {
    name: 'bentocache (Redis bus)',
    // BentoCache subscribes on construction; give its connections a moment and check with a round trip below.
    ready: new Promise((r) => setTimeout(r, 500)),
    async warm(keys) {
      for (const k of keys) await origin.set({ key: k, value: { k } });
      await new Promise((r) => setTimeout(r, TIER_BUDGET_MS + 200));
      for (const c of others)
        for (const k of keys)
          if ((await c.get({ key: k })) === undefined) throw new Error(`warm: ${k} missing`);
    },
    // Not needed: its receivers report on message arrival whatever their L1 holds. (Also, BentoCache 1.6.1 with
    // memory serialize:false throws "Cannot read properties of undefined (reading 'deserialize')" from get() of
    // an entry its bus had marked logically expired, which a get here would hit.)
    async prime() {},
    async invalidate(key) {
      await origin.delete({ key });
    },
    onEvicted(cb) {
      // Emitted when the bus message arrives, right before the synchronous L1 delete of its keys.
      others.forEach((c, i) => {
        c.on('bus:message:received', (e: { message?: { keys?: string[]; type?: string } }) => {
          if (e.message?.type !== 'delete') return;
          for (const k of e.message.keys ?? []) cb(i, k.slice(k.lastIndexOf(':') + 1));
        });
      });
    },
    async close() {
      await Promise.all([origin, ...others].map((c) => c.disconnectAll()));
    },
  };
}

/** The transport alone: PUBLISH of the key, receivers are plain SUBSCRIBE connections (no cache, no L2). */
export function rawRedis(ep: Endpoint, receivers: number): Contestant & { ready: Promise<unknown> } {
  const channel = `bench-raw-${Date.now()}`;
  const pub = new Redis(ep.port, ep.host);
  const subs = Array.from({ length: receivers }, () => new Redis(ep.port, ep.host));
  let cb: ((receiver: number, key: string) => void) | undefined;
  subs.forEach((sub, i) => {
    sub.on('message', (_ch: string, key: string) => cb?.(i, key));
  });
  return {
    name: 'raw ioredis PUBLISH -> SUBSCRIBE (baseline)',
    ready: Promise.all(subs.map((sub) => sub.subscribe(channel))),
    async warm() {},
    async prime() {},
    async invalidate(key) {
      await pub.publish(channel, key);
    },
    onEvicted(f) {
      cb = f;
    },
    async close() {
      for (const c of [pub, ...subs]) c.disconnect();
    },
  };
}

/** The transport alone: kafkajs send of the key (acks=1), receivers are consumers with their own groups. */
export function rawKafka(broker: string, receivers: number): Contestant & { ready: Promise<unknown> } {
  const topic = `bench-raw-${Date.now()}`;
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: [broker], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumers = Array.from({ length: receivers }, (_, i) =>
    kafka.consumer({ groupId: `${topic}-${i}`, maxWaitTimeInMs: 100 }),
  );
  let cb: ((receiver: number, key: string) => void) | undefined;
  const ready = (async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
    await Promise.all(
      consumers.map(async (c, i) => {
        const joined = new Promise<void>((r) => c.on(c.events.GROUP_JOIN, () => r()));
        await c.connect();
        await c.subscribe({ topic });
        await c.run({ eachMessage: async ({ message }) => cb?.(i, message.key?.toString() ?? '') });
        await joined;
      }),
    );
  })();
  return {
    name: 'raw kafkajs send -> consumers (baseline)',
    ready,
    async warm() {},
    async prime() {},
    async invalidate(key) {
      await producer.send({ topic, acks: 1, messages: [{ key, value: key }] });
    },
    onEvicted(f) {
      cb = f;
    },
    async close() {
      await Promise.all([producer.disconnect(), ...consumers.map((c) => c.disconnect())]);
    },
  };
}

export interface PropagationResult {
  name: string;
  /** ms, one per receiver per invalidation. */
  samples: number[];
  /** Receivers that did not report within the timeout. */
  missed: number;
}

/** `n` invalidations, one at a time: each waits until every receiver reported (or `timeoutMs`). */
export async function measure(
  c: Contestant,
  receivers: number,
  n: number,
  round: number,
  timeoutMs = 2_000,
): Promise<PropagationResult> {
  const keys = Array.from({ length: n }, (_, i) => `r${round}-k${i}`);
  await c.warm(keys);
  const pending = new Map<string, { t0: number; left: Set<number>; done: () => void }>();
  const samples: number[] = [];
  let missed = 0;
  c.onEvicted((receiver, key) => {
    const p = pending.get(key);
    if (p === undefined || !p.left.has(receiver)) return;
    p.left.delete(receiver);
    samples.push(performance.now() - p.t0);
    if (p.left.size === 0) p.done();
  });
  for (const key of keys) {
    let done!: () => void;
    const all = new Promise<void>((r) => {
      done = r;
    });
    const entry = {
      t0: performance.now(),
      left: new Set(Array.from({ length: receivers }, (_, i) => i)),
      done,
    };
    await c.prime(key);
    entry.t0 = performance.now();
    pending.set(key, entry);
    await c.invalidate(key);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    missed += entry.left.size;
    pending.delete(key);
    await new Promise((r) => setTimeout(r, 2));
  }
  return { name: c.name, samples, missed };
}

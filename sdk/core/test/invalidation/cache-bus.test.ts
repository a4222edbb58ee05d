import { afterEach, describe, expect, it } from 'vitest';
import { type Cache, type CacheEvent, createCache, InvalidKeyError } from '../../src/index.js';
import { FakeHub } from '../helpers/fake-bus.js';
import { FakeTier } from '../helpers/fake-tier.js';

const open: Cache[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function group(n: number, opts: { l2?: FakeTier; ordered?: boolean; hub?: FakeHub } = {}) {
  const hub = opts.hub ?? new FakeHub();
  const caches: Cache[] = [];
  for (let i = 0; i < n; i++) {
    const c = createCache({
      name: 'app',
      l1: { capacity: 1000 },
      ...(opts.l2 ? { l2: opts.l2 } : {}),
      bus: { bus: hub.bus(opts.ordered ?? true), heartbeatMs: 50, retryMinMs: 5, retryMaxMs: 20 },
    });
    open.push(c);
    caches.push(c);
  }
  await Promise.all(caches.map((c) => c.bus?.ready));
  return { hub, caches };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

/** Puts a value into one instance's L1 only (as a read-through would), bypassing the bus. */
async function l1Only(c: Cache, key: string, value: unknown, ns?: string) {
  const v = ns ? c.namespace(ns) : c;
  await v.getOrSet(key, () => value);
}

describe('invalidation across instances (in-memory bus)', () => {
  it("invalidate(key) removes the key from the other instances' L1, once", async () => {
    const { caches, hub } = await group(3);
    const [a, b, c] = caches as [Cache, Cache, Cache];
    for (const x of caches) await l1Only(x, 'k', 'old');
    const seen: CacheEvent[] = [];
    b.events.on('invalidate', (e) => seen.push(e));
    const r = await a.invalidate('k');
    expect(r.keys).toEqual(['k']);
    await settle();
    for (const x of [a, b, c]) expect(await x.get('k')).toBeUndefined();
    expect(seen).toMatchObject([{ scope: 'key', target: 'app::k', source: 'bus' }]);
    // The same message again (a redelivery) is not applied twice.
    await l1Only(b, 'k', 'new');
    hub.deliver(hub.log.filter((p) => p.includes('"kind":"invalidate"')).at(-1)!);
    expect(await b.get('k')).toBe('new');
    expect(b.stats().invalidation?.messages.duplicate).toBe(1);
  });

  it('delete, deleteMany, deleteByTag, clear and set publish; namespaces map back to L1 keys', async () => {
    const { caches } = await group(2);
    const [a, b] = caches as [Cache, Cache];
    const bn = b.namespace('users');
    await bn.getOrSet('1', () => 'u1', { tags: ['team'] });
    await bn.getOrSet('2', () => 'u2');
    await b.getOrSet('3', () => 'root3');
    await b.getOrSet('4', () => 'root4');
    await a.namespace('users').deleteByTag('team');
    await settle();
    expect(await bn.get('1')).toBeUndefined();
    expect(await bn.get('2')).toBe('u2');
    await a.namespace('users').clear();
    await settle();
    expect(await bn.get('2')).toBeUndefined();
    expect(await b.get('3')).toBe('root3');
    await a.delete('3');
    await a.deleteMany(['4']);
    await settle();
    expect(await b.get('3')).toBeUndefined();
    expect(await b.get('4')).toBeUndefined();
    await b.getOrSet('5', () => 'b-copy');
    await a.set('5', 'a-value');
    await settle();
    expect(await b.get('5')).toBeUndefined(); // no L2: B drops its copy, A keeps its own
    expect(await a.get('5')).toBe('a-value');
    const causes = b
      .stats()
      .invalidation?.invalidations.filter((i) => i.source === 'bus')
      .map((i) => i.cause);
    expect(causes?.sort()).toEqual(['clear', 'delete', 'set', 'tag']);
  });

  it('invalidate({ prefix }) and invalidate({ tag })', async () => {
    const { caches } = await group(2);
    const [a, b] = caches as [Cache, Cache];
    await l1Only(b, 'user:1', 1);
    await l1Only(b, 'user:2', 2);
    await l1Only(b, 'order:1', 3);
    await b.getOrSet('t', () => 't', { tags: ['x'] });
    await a.invalidate({ prefix: 'user:' });
    await a.invalidate({ tag: 'x' });
    await settle();
    expect(await b.get('user:1')).toBeUndefined();
    expect(await b.get('user:2')).toBeUndefined();
    expect(await b.get('order:1')).toBe(3);
    expect(await b.get('t')).toBeUndefined();
    await expect(a.invalidate('')).rejects.toThrow(InvalidKeyError);
    await expect(a.invalidate({ nope: 1 } as never)).rejects.toThrow(InvalidKeyError);
  });

  it('rejects and counts malformed messages, ignores other groups', async () => {
    const { caches, hub } = await group(1);
    const [a] = caches as [Cache];
    const events: CacheEvent[] = [];
    a.events.on('bus', (e) => events.push(e));
    hub.deliver('not json');
    hub.deliver(JSON.stringify({ v: 9 }));
    hub.deliver(
      JSON.stringify({
        v: 1,
        kind: 'heartbeat',
        group: 'other',
        origin: 'x',
        seq: 0,
        hlc: { wall: 1, logical: 0 },
      }),
    );
    expect(a.stats().invalidation?.messages.rejected).toBe(3);
    expect(events.map((e) => e.type === 'bus' && e.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('a lost message is detected from the next message or heartbeat and clears L1', async () => {
    const { caches, hub } = await group(2);
    const [a, b] = caches as [Cache, Cache];
    await a.invalidate('warm'); // b learns a's origin
    await settle();
    await l1Only(b, 'k1', 1);
    await l1Only(b, 'k2', 2);
    hub.lose = 1;
    await a.invalidate('k1'); // lost
    await settle();
    expect(await b.get('k1')).toBe(1); // b cannot know yet
    // No further invalidation: the heartbeat carries a's last sequence number.
    await new Promise((r) => setTimeout(r, 120));
    expect(await b.get('k1')).toBeUndefined();
    expect(await b.get('k2')).toBeUndefined(); // the whole L1: b cannot know what the lost message touched
    expect(b.stats().invalidation?.gaps).toBe(1);
  });

  it('reordered delivery within the window is no gap; beyond it, it is', async () => {
    const hub = new FakeHub();
    const { caches } = await group(2, { hub, ordered: false });
    const [a, b] = caches as [Cache, Cache];
    await a.invalidate('warm');
    await settle();
    await l1Only(b, 'keep', 1);
    hub.held = [];
    await a.invalidate('x');
    await a.invalidate('y');
    hub.release((h) => h.reverse());
    await settle();
    expect(b.stats().invalidation?.gaps).toBe(0);
    expect(await b.get('keep')).toBe(1);
    expect(b.stats().invalidation?.messages.received).toBe(3);
  });

  it('bus down: local invalidation works, messages queue (bounded, drops counted) and are sent when it is back', async () => {
    const hub = new FakeHub();
    const mk = (maxQueue: number) => {
      const c = createCache({
        name: 'app',
        l1: { capacity: 100 },
        bus: { bus: hub.bus(), heartbeatMs: 10_000, maxQueue, retryMinMs: 5, retryMaxMs: 10 },
      });
      open.push(c);
      return c;
    };
    const a = mk(2);
    const b = mk(10);
    await Promise.all([a.bus?.ready, b.bus?.ready]);
    await a.invalidate('warm');
    await settle();
    for (const k of ['k1', 'k2', 'k3']) {
      await l1Only(a, k, k);
      await l1Only(b, k, k);
    }
    hub.down = true;
    for (const k of ['k1', 'k2', 'k3']) await a.invalidate(k);
    expect(await a.get('k1')).toBeUndefined(); // local invalidation unaffected
    await settle();
    const s = a.stats().invalidation!;
    expect(s.queued).toBe(2);
    expect(s.messages.dropped).toBe(1);
    hub.down = false;
    await new Promise((r) => setTimeout(r, 60));
    expect(a.stats().invalidation?.queued).toBe(0);
    // k1's message was dropped: b sees the hole in a's sequence and clears its L1 (k1 included).
    for (const k of ['k1', 'k2', 'k3']) expect(await b.get(k)).toBeUndefined();
    expect(b.stats().invalidation?.gaps).toBe(1);
  });

  it('a read that fetched the old value from L2 before the invalidation and lands in L1 after it is removed again', async () => {
    const l2 = new FakeTier();
    // Reads see the data at once but answer 40 ms later (a slow network): the answer lands after the message.
    const slowReads: typeof l2 = Object.assign(Object.create(l2), {
      async get(key: string) {
        const v = await l2.get(key);
        await new Promise((r) => setTimeout(r, 40));
        return v;
      },
    });
    const hub = new FakeHub();
    const mk = (tier: FakeTier) =>
      createCache({
        name: 'app',
        l1: { capacity: 10 },
        l2: tier,
        defaults: { timeouts: { tier: 100 } },
        bus: { bus: hub.bus(), heartbeatMs: 60_000 },
      });
    const a = mk(l2);
    const b = mk(slowReads);
    open.push(a, b);
    await Promise.all([a.bus?.ready, b.bus?.ready]);
    await a.set('k', 'old');
    await settle();
    const reading = b.get('k'); // L1 miss: reads 'old' from L2 now, answers in 40 ms
    await settle();
    await a.invalidate('k'); // L2 delete + message, applied by b before its read answers
    expect(await reading).toBe('old'); // that read started before the invalidation: fine
    // ... but its promotion into L1 must not outlive the re-clean after the tier budget (100 ms).
    await new Promise((r) => setTimeout(r, 130));
    expect(await b.get('k')).toBeUndefined();
  });

  it('a bus that fails to start is retried; messages wait in the queue meanwhile', async () => {
    const hub = new FakeHub();
    const flaky = hub.bus();
    let failures = 2;
    const start = flaky.start.bind(flaky);
    flaky.start = async (group, handler) => {
      if (failures-- > 0) throw new Error('broker unreachable');
      return start(group, handler);
    };
    const a = createCache({
      name: 'app',
      l1: { capacity: 10 },
      bus: { bus: flaky, retryMinMs: 5, retryMaxMs: 10 },
    });
    const b = createCache({ name: 'app', l1: { capacity: 10 }, bus: hub.bus() });
    open.push(a, b);
    const events: string[] = [];
    a.events.on('bus', (e) => events.push(e.outcome));
    await b.bus?.ready;
    await l1Only(b, 'k', 1);
    await a.invalidate('k'); // before a's bus is up
    expect(a.stats().invalidation?.queued).toBe(1);
    await a.bus?.ready;
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.get('k')).toBeUndefined();
    expect(events.filter((e) => e === 'start-failed').length).toBeGreaterThanOrEqual(1);
  });

  it('a transport reset (lost subscription) clears L1', async () => {
    const { caches, hub } = await group(1);
    const [a] = caches as [Cache];
    await l1Only(a, 'k', 1);
    for (const bus of hub.buses) bus.handler?.reset('reconnected');
    expect(await a.get('k')).toBeUndefined();
    expect(a.stats().invalidation?.resets).toBe(1);
  });

  it('without remote tiers, a local write newer (HLC) than a received invalidation stays', async () => {
    const { caches, hub } = await group(2);
    const [a, b] = caches as [Cache, Cache];
    hub.held = [];
    await a.invalidate('k'); // stamped first
    await new Promise((r) => setTimeout(r, 3));
    await b.set('k', 'b-newer'); // stamped later on b
    const held = hub.held;
    hub.held = undefined;
    for (const p of held) hub.deliver(p);
    await settle();
    expect(await b.get('k')).toBe('b-newer');
  });
});

describe('dependencies', () => {
  it('invalidate cascades transitively, cycle-safe, and returns what it removed', async () => {
    const { caches } = await group(2);
    const [a, b] = caches as [Cache, Cache];
    for (const c of [a, b]) {
      await c.set('base', 1);
      await c.set('mid', 2, { dependsOn: ['base'] });
      await c.set('top', 3, { dependsOn: ['mid', 'top2'] });
      await c.set('top2', 4, { dependsOn: ['top'] }); // cycle top <-> top2
      await c.set('other', 5);
    }
    await settle();
    await b.getOrSet('other', () => 5);
    const r = await a.invalidate('base');
    expect(r.keys.sort()).toEqual(['base', 'mid', 'top', 'top2']);
    expect(r.truncated).toBe(false);
    await settle();
    for (const k of ['base', 'mid', 'top', 'top2']) {
      expect(await a.get(k)).toBeUndefined();
      expect(await b.get(k)).toBeUndefined();
    }
    expect(await b.get('other')).toBe(5);
    await expect(a.set('x', 1, { dependsOn: [''] })).rejects.toThrow(InvalidKeyError);
  });

  it('edges written by one instance are found by another through L2', async () => {
    const l2 = new FakeTier();
    const { caches } = await group(2, { l2 });
    const [a, b] = caches as [Cache, Cache];
    await a.set('base', 1);
    await a.set('child', 2, { dependsOn: ['base'] });
    await a.set('grandchild', 3, { dependsOn: ['child'] });
    await settle();
    // b has never seen these edges; it invalidates base and must find child and grandchild through L2.
    const r = await b.invalidate('base');
    expect(r.keys.sort()).toEqual(['base', 'child', 'grandchild']);
    await settle();
    expect(l2.data.size).toBe(0);
    for (const k of ['base', 'child', 'grandchild']) expect(await a.get(k)).toBeUndefined();
  });

  it('works without a bus (local only)', async () => {
    const c = createCache({ name: 'solo', l1: { capacity: 10 } });
    open.push(c);
    await c.set('a', 1);
    await c.getOrSet('b', () => 2, { dependsOn: ['a'] });
    const r = await c.invalidate('a');
    expect(r.keys.sort()).toEqual(['a', 'b']);
    expect(await c.get('b')).toBeUndefined();
    expect(c.bus).toBeUndefined();
  });
});

// Conditional write-backs (cache/write-back.ts) with in-memory tiers: what a refusal does to L1, to a tier that
// cannot compare (L3 here stands for GCS), to promotions and demotions, and the tombstone-lifetime bound.
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { deferred, FakeTier, tick } from '../helpers/fake-tier.js';
import { TombstoneTier } from '../helpers/tombstone-tier.js';

/** Two instances (no bus: B's message never reaches A) on one conditional L2 and, optionally, one plain L3. */
function pair(l2: TombstoneTier, l3?: FakeTier) {
  const make = () =>
    createCache({ name: 'wb', l1: { capacity: 10 }, l2, ...(l3 !== undefined && { l3: { tier: l3 } }) });
  return { a: make(), b: make() };
}

/** A's getOrSet whose loader read `old` and answers when `release` is called. */
function heldLoad(a: ReturnType<typeof pair>['a'], key: string) {
  const gate = deferred<void>();
  let started = false;
  const answer = a.getOrSet(key, async () => {
    started = true;
    await gate.promise;
    return 'old';
  });
  return { answer, release: () => gate.resolve(), started: () => started };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await tick(1);
  expect(check()).toBe(true);
};

describe('conditional write-backs', () => {
  it('a load spanning a delete elsewhere: the caller gets its value, L1, L2 and the plain L3 keep nothing', async () => {
    const l2 = new TombstoneTier();
    const l3 = new FakeTier();
    const { a, b } = pair(l2, l3);
    const load = heldLoad(a, 'k');
    await until(load.started);
    await b.delete('k');
    load.release();
    expect(await load.answer).toBe('old');
    expect(a.stats().loader.writeBacksRefused).toBe(1);
    expect(a.stats().tiers.l2!.sets).toBe(0);
    expect(l3.data.size).toBe(0); // GCS-like L3: not written after the refusal
    expect(await a.get('k')).toBeUndefined(); // not in A's L1 either
    expect(await b.get('k')).toBeUndefined();
  });

  it('without a change in between the value lands everywhere (nothing refused)', async () => {
    const l2 = new TombstoneTier();
    const l3 = new FakeTier();
    const { a, b } = pair(l2, l3);
    expect(await a.getOrSet('k', () => 'v')).toBe('v');
    expect(a.stats().loader.writeBacksRefused).toBe(0);
    expect(l3.data.size).toBe(1);
    expect(await b.get('k')).toBe('v');
    // over a tombstone the load itself read: written
    await b.delete('k');
    await a.delete('k'); // (A would have heard of it over a bus)
    expect(await a.getOrSet('k', () => 'w')).toBe('w');
    expect(await b.get('k')).toBe('w');
  });

  it('a load that outlives the tombstone lifetime (minus the tier budget) is not written back', async () => {
    const l2 = new TombstoneTier(60);
    const { a, b } = pair(l2);
    const load = heldLoad(a, 'k');
    await until(load.started);
    await tick(80);
    load.release();
    expect(await load.answer).toBe('old');
    expect(a.stats().loader.writeBacksRefused).toBe(1);
    expect(await b.get('k')).toBeUndefined();
  });

  it('a value read from L3 is promoted into L2 only where L2 holds nothing (a tombstone stays)', async () => {
    const l2 = new TombstoneTier();
    const l3 = new FakeTier();
    const { a } = pair(l2, l3);
    await a.set('k', 'v');
    await l2.delete('wb::k'); // a delete that (say) failed on L3: L2 has a tombstone, L3 the old value
    const reader = createCache({ name: 'wb', l1: { capacity: 10 }, l2, l3: { tier: l3 } });
    expect(await reader.get('k')).toBe('v'); // served from L3 ...
    await tick(5);
    expect((await l2.read('wb::k')).value).toBeUndefined(); // ... but not promoted over the tombstone
    await l3.set('wb::j', (await l3.get('wb::k'))!, { ttlMs: 60_000 });
    expect(await reader.get('j')).toBe('v');
    await tick(5);
    expect((await l2.read('wb::j')).value).toBeDefined(); // into an empty key it is
  });

  it('a demoted L1 entry goes into L2 only where L2 holds nothing', async () => {
    const l2 = new TombstoneTier();
    const a = createCache({ name: 'wb', l1: { capacity: 1, demoteOnEvict: true }, l2 });
    await a.set('k', 'v');
    await l2.delete('wb::k'); // another instance deleted it; A has not heard yet
    await a.set('other', 'x'); // evicts k from A's L1: demoted, but not over the tombstone
    await tick(5);
    expect((await l2.read('wb::k')).value).toBeUndefined();
    l2.data.delete('wb::other');
    await a.set('third', 'y'); // evicts "other": L2 holds nothing for it, so it is demoted
    await tick(5);
    expect((await l2.read('wb::other')).value).toBeDefined();
  });

  it('a load joined by other callers: all get the loaded value, none keeps it after the refusal', async () => {
    const l2 = new TombstoneTier();
    const { a, b } = pair(l2);
    const load = heldLoad(a, 'k');
    await until(load.started);
    const joined = a.getOrSet('k', () => 'never called');
    await b.set('k', 'new');
    load.release();
    expect(await load.answer).toBe('old');
    expect(await joined).toBe('old');
    expect(a.stats().loader.writeBacksRefused).toBe(1);
    expect(await b.get('k')).toBe('new');
    const c = createCache({ name: 'wb', l1: { capacity: 10 }, l2 });
    expect(await c.get('k')).toBe('new');
  });
});

// Model-based check of loads that span invalidations on other instances (docs/invalidation.md, "Write-backs that
// span an invalidation"), under arbitrary interleavings (fast-check scheduler). Three instances share one L2 (an
// in-memory conditional tier: states, tombstones, compare-and-set) and a bus. The scheduler decides when each
// instance's tier requests execute (in order per instance, like one connection), when replies arrive, when each
// loader returns (it reads the source of truth when called), and when each bus message reaches each instance.
// Operations: getOrSet (a load), get, and updates (a source write, then invalidate() or delete() of the key).
//
// Reference model: an update's invalidation makes every version of the key older than its source write obsolete.
// A read started after that invalidation returned may not answer with an obsolete version, unless it runs on an
// instance that had not yet applied the invalidation's message when the read started (the documented allowance:
// that instance's L1 may still hold the old value until the message arrives). Reads on the instance that
// invalidated get no allowance.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Cache, createCache } from '../../src/index.js';
import type { Bus, BusHandler, BusOutgoing } from '../../src/invalidation/bus.js';
import type { Tier, TierSetOptions, TierWrite } from '../../src/tiers/tier.js';
import { drive, quiesce } from '../helpers/scheduler-drive.js';
import { TombstoneTier } from '../helpers/tombstone-tier.js';

type Scheduler = fc.Scheduler;
const KEYS = ['a', 'b'] as const;
type Key = (typeof KEYS)[number];
const INSTANCES = 3;

/** One instance's connection to the shared tier: requests execute in call order, each when the scheduler says. */
class Connection implements Tier {
  readonly kind = 'redis' as const;
  readonly callTimeoutMs = 1;
  #chain: Promise<unknown> = Promise.resolve();
  constructor(
    readonly inner: TombstoneTier,
    readonly s: Scheduler,
    readonly label: string,
  ) {}
  get tombstoneMs() {
    return this.inner.tombstoneMs;
  }
  #op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(() => this.s.schedule(Promise.resolve(), `${this.label} ${what}`)).then(fn);
    this.#chain = run.catch(() => undefined);
    // The reply travels back on its own schedule (it does not hold up the next request).
    return run.then((r) => this.s.schedule(Promise.resolve(r), `${this.label} ${what} replies`));
  }
  get(k: string) {
    return this.#op(`get ${k}`, () => this.inner.get(k));
  }
  read(k: string) {
    return this.#op(`read ${k}`, () => this.inner.read(k));
  }
  getMany(ks: readonly string[]) {
    return this.#op('getMany', () => this.inner.getMany(ks));
  }
  set(k: string, v: Uint8Array, o: TierSetOptions) {
    return this.#op(`set ${k}`, () => this.inner.set(k, v, o));
  }
  setMany(w: readonly TierWrite[]) {
    return this.#op('setMany', () => this.inner.setMany(w));
  }
  setIfUnchanged(w: TierWrite, expected: string) {
    return this.#op(`setIfUnchanged ${w.key}`, () => this.inner.setIfUnchanged(w, expected));
  }
  delete(k: string) {
    return this.#op(`delete ${k}`, () => this.inner.delete(k));
  }
  deleteMany(ks: readonly string[]) {
    return this.#op('deleteMany', () => this.inner.deleteMany(ks));
  }
  deleteEach(ks: readonly string[]) {
    return this.#op('deleteEach', () => this.inner.deleteEach(ks));
  }
  deleteByTag(t: string) {
    return this.#op('deleteByTag', () => this.inner.deleteByTag(t));
  }
  tagMembers(t: string) {
    return this.#op('tagMembers', () => this.inner.tagMembers(t));
  }
  clear(p: string) {
    return this.#op('clear', () => this.inner.clear(p));
  }
  async close() {}
}

/** A published message and the instances that have applied it (with the logical time they did). */
interface Sent {
  from: number;
  payload: string;
  appliedAt: Map<number, number>;
}

/** Every message reaches every other instance when the scheduler says (in any order). */
class ScheduledBus implements Bus {
  readonly kind = 'kafka';
  readonly ordered = false;
  handler: BusHandler | undefined;
  constructor(
    readonly index: number,
    readonly peers: ScheduledBus[],
    readonly log: Sent[],
    readonly clock: { now: number },
    readonly s: Scheduler,
  ) {
    peers.push(this);
  }
  async start(_group: string, handler: BusHandler) {
    this.handler = handler;
  }
  async publish(messages: readonly BusOutgoing[]) {
    for (const m of messages) {
      const sent: Sent = { from: this.index, payload: m.payload, appliedAt: new Map() };
      this.log.push(sent);
      for (const p of this.peers) {
        if (p === this) continue;
        void this.s.schedule(Promise.resolve(), `deliver to ${p.index}`).then(() => {
          p.handler?.message(m.payload);
          sent.appliedAt.set(p.index, ++this.clock.now);
        });
      }
    }
  }
  async close() {}
}

type Op =
  | { kind: 'load'; at: number; key: Key }
  | { kind: 'get'; at: number; key: Key }
  | { kind: 'update'; at: number; key: Key; via: 'invalidate' | 'delete' };

const at = fc.nat(INSTANCES - 1);
const key = fc.constantFrom<Key>(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('load' as const), at, key }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('get' as const), at, key }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      at,
      key,
      via: fc.constantFrom('invalidate' as const, 'delete' as const),
    }),
    weight: 2,
  },
);

interface Read {
  at: number;
  key: Key;
  start: number;
  version: number | undefined;
  label: string;
}
interface Update {
  at: number;
  key: Key;
  version: number;
  returned: number;
  messages: Sent[];
}

/** Runs one interleaving; returns the reads that broke the model (empty when none did). */
async function scenario(s: Scheduler, ops: readonly Op[], tombstoneMs: number): Promise<string[]> {
  const l2 = new TombstoneTier(tombstoneMs);
  const clock = { now: 0 };
  const log: Sent[] = [];
  const peers: ScheduledBus[] = [];
  const source = new Map<Key, number>(KEYS.map((k) => [k, 0]));
  const caches: Cache[] = Array.from({ length: INSTANCES }, (_, i) =>
    createCache({
      name: 'wb',
      l1: { capacity: 100 },
      l2: new Connection(l2, s, `#${i}`),
      defaults: { timeouts: { tier: 20 } },
      bus: { bus: new ScheduledBus(i, peers, log, clock, s), heartbeatMs: 60_000, reorderWindowMs: 60_000 },
    }),
  );
  const reads: Read[] = [];
  const updates: Update[] = [];
  const versionOf = (v: unknown) => (v === undefined ? undefined : Number(String(v).split('@')[1]));
  try {
    await Promise.all(caches.map((c) => c.bus?.ready));
    const running = Array.from({ length: INSTANCES }, async (_, i) => {
      const c = caches[i]!;
      for (const o of ops.filter((x) => x.at === i)) {
        await s.schedule(Promise.resolve(), `#${i} starts ${o.kind} ${o.key}`);
        const start = ++clock.now;
        if (o.kind === 'load') {
          const v = await c.getOrSet(o.key, async () => {
            const read = `${o.key}@${source.get(o.key)}`; // the loader reads the source of truth now ...
            await s.schedule(Promise.resolve(), `#${i} loader of ${o.key} returns ${read}`); // ... answers later
            return read;
          });
          reads.push({ at: i, key: o.key, start, version: versionOf(v), label: `getOrSet ${String(v)}` });
        } else if (o.kind === 'get') {
          const v = await c.get(o.key);
          reads.push({ at: i, key: o.key, start, version: versionOf(v), label: `get ${String(v)}` });
        } else {
          const version = source.get(o.key)! + 1;
          source.set(o.key, version);
          const first = log.length;
          if (o.via === 'invalidate') await c.invalidate(o.key);
          else await c.delete(o.key);
          const messages = log.slice(first).filter((m) => m.from === i);
          updates.push({ at: i, key: o.key, version, returned: ++clock.now, messages });
        }
      }
    });
    await drive(s, Promise.all(running));
    await quiesce(s);
  } finally {
    await Promise.all(caches.map((c) => c.close()));
  }
  const broken: string[] = [];
  for (const r of reads) {
    if (r.version === undefined) continue;
    for (const u of updates) {
      if (u.key !== r.key || u.returned >= r.start || r.version >= u.version) continue;
      // The allowance: the reading instance had not applied the update's message yet (its L1 may lag).
      const applied = u.at === r.at || u.messages.every((m) => (m.appliedAt.get(r.at) ?? Infinity) < r.start);
      if (applied)
        broken.push(
          `#${r.at} ${r.label} (started at ${r.start}) older than #${u.at}'s update of ${u.key} to version ${u.version} (invalidated at ${u.returned})`,
        );
    }
  }
  return broken;
}

const ops = fc.array(op, { minLength: 2, maxLength: 10 });
const RUNS = Number(process.env.FC_RUNS ?? 300);

describe('loads spanning invalidations on other instances (fast-check scheduler, reference model)', () => {
  it(`no read started after an invalidation returned sees an older version, but for L1 message lag (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), ops, async (s, list) => {
        const broken = await scenario(s, list, 60_000);
        expect(
          broken,
          s
            .report()
            .map((t) => t.label)
            .join('\n'),
        ).toEqual([]);
      }),
      {
        numRuns: RUNS,
        ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
      },
    );
  }, 120_000);

  it('control: without tombstones and conditional write-backs the model finds the stale write-back', async () => {
    const result = await fc.check(
      fc.asyncProperty(fc.scheduler(), ops, async (s, list) => {
        expect(await scenario(s, list, 0)).toEqual([]);
      }),
      { numRuns: RUNS, seed: 1 },
    );
    expect(result.failed).toBe(true);
  }, 120_000);
});

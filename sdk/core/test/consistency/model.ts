// Model-based interleaving test of one cache process: fast-check generates a batch of concurrent calls
// (get, getMany, set, delete, deleteMany, deleteByTag, clear, getOrSet; on the root and on a namespace of it)
// and a scheduler decides the order of
// everything asynchronous: when each call starts, when each tier reply arrives, when each loader returns.
// Every call is recorded with logical start/end times; afterwards each answer is checked against a
// reference model of what the call may return (see `check`). Used by the unit test (in-memory tiers) and by
// the integration test (real Redis + fs), which pass their own tiers.
import fc from 'fast-check';
import { type Cache, createCache, type DistributedLock, LoaderError, type Tier } from '../../src/index.js';
import type { TierSetOptions, TierWrite } from '../../src/tiers/tier.js';

/** Keys of the root view, and of the namespace view `n` (written `n/<key>` here): the same user keys. */
export const ROOT_KEYS = ['a', 'b', 'c'] as const;
export const NS_KEYS = ['n/a', 'n/b'] as const;
export const KEYS = [...ROOT_KEYS, ...NS_KEYS] as const;
export const TAGS = ['t1', 't2'] as const;
type Key = (typeof KEYS)[number];
type Tag = (typeof TAGS)[number];
type ViewName = 'root' | 'n';

export type Command =
  | { kind: 'get'; key: Key }
  | { kind: 'getMany'; keys: Key[] }
  | { kind: 'set'; key: Key; tags: Tag[] }
  | { kind: 'delete'; key: Key }
  | { kind: 'deleteMany'; keys: Key[] }
  | { kind: 'deleteByTag'; view: ViewName; tag: Tag }
  | { kind: 'clear'; view: ViewName }
  | { kind: 'getOrSet'; key: Key; tags: Tag[]; fails: boolean };

const viewOf = (k: Key): ViewName => (k.startsWith('n/') ? 'n' : 'root');
const userKey = (k: Key): string => (k.startsWith('n/') ? k.slice(2) : k);

const key = fc.constantFrom(...KEYS);
/** Batches stay in one view (getMany/deleteMany are methods of a view). */
const keys = fc.oneof(
  fc.uniqueArray(fc.constantFrom(...ROOT_KEYS), { minLength: 1, maxLength: 3 }),
  fc.uniqueArray(fc.constantFrom(...NS_KEYS), { minLength: 1, maxLength: 2 }),
) as fc.Arbitrary<Key[]>;
const tags = fc.subarray([...TAGS]);
const view = fc.constantFrom<ViewName>('root', 'n');

export const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('get' as const), key }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('getMany' as const), keys }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('set' as const), key, tags }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), key }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('deleteMany' as const), keys }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('deleteByTag' as const), view, tag: fc.constantFrom(...TAGS) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('clear' as const), view }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('getOrSet' as const),
      key,
      tags,
      fails: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
    weight: 4,
  },
);

/** One produced value: by a set (available from the set's start) or a loader (from the loader's call). */
interface Origin {
  key: Key;
  tags: readonly Tag[];
  /** Logical time from which the value may be the key's current one. */
  from: number;
  /** The set call that wrote it (sets are checked for read-your-writes). */
  set?: Call;
}

interface Call {
  command: Command;
  start: number;
  end: number;
  /** What it returned (per key for getMany), or the error it threw. */
  result?: unknown;
  error?: unknown;
  value?: string;
}

/** Records calls, values and loader errors with one logical clock. */
export class History {
  clock = 0;
  readonly calls: Call[] = [];
  readonly origins = new Map<string, Origin>();
  readonly loaderErrors = new Set<unknown>();
  #next = 0;

  tick(): number {
    return ++this.clock;
  }

  value(prefix: string): string {
    return `${prefix}${++this.#next}`;
  }
}

/** Wraps a tier so that the scheduler decides when each reply reaches the cache (calls are issued at once). */
export class ScheduledTier implements Tier {
  readonly kind;
  readonly inner: Tier;
  readonly s: fc.Scheduler;
  readonly label: string;

  constructor(inner: Tier, s: fc.Scheduler, label: string) {
    this.inner = inner;
    this.kind = inner.kind;
    this.s = s;
    this.label = label;
  }

  #later<T>(op: string, p: Promise<T>): Promise<T> {
    return this.s.schedule(p, `${this.label} ${op}`);
  }
  get(k: string) {
    return this.#later('get', this.inner.get(k));
  }
  getMany(ks: readonly string[]) {
    return this.#later('getMany', this.inner.getMany(ks));
  }
  set(k: string, v: Uint8Array, o: TierSetOptions) {
    return this.#later('set', this.inner.set(k, v, o));
  }
  setMany(w: readonly TierWrite[]) {
    return this.#later('setMany', this.inner.setMany(w));
  }
  delete(k: string) {
    return this.#later('delete', this.inner.delete(k));
  }
  deleteMany(ks: readonly string[]) {
    return this.#later('deleteMany', this.inner.deleteMany(ks));
  }
  deleteByTag(t: string) {
    return this.#later('deleteByTag', this.inner.deleteByTag(t));
  }
  clear(p: string) {
    return this.#later('clear', this.inner.clear(p));
  }
  close() {
    return this.inner.close();
  }
}

/** Starts every command at a time the scheduler picks, waits for all of them, and returns the history. */
export async function runCommands(
  cache: Cache,
  s: fc.Scheduler,
  commands: readonly Command[],
  delaysMs?: readonly number[],
): Promise<History> {
  const h = new History();
  const runs = commands.map((command, i) =>
    s
      .schedule(Promise.resolve(), `start ${command.kind}`)
      // With expiring values, calls are also spread over real time so that values go stale between them.
      .then(() => (delaysMs?.[i] ? new Promise((r) => setTimeout(r, delaysMs[i])) : undefined))
      .then(() => run(cache, s, h, command)),
  );
  await s.waitFor(Promise.all(runs));
  return h;
}

async function run(root: Cache, s: fc.Scheduler, h: History, command: Command): Promise<void> {
  const call: Call = { command, start: h.tick(), end: 0 };
  h.calls.push(call);
  const ns = root.namespace('n');
  const cacheOf = (v: ViewName) => (v === 'n' ? ns : root);
  try {
    switch (command.kind) {
      case 'get':
        call.result = await cacheOf(viewOf(command.key)).get(userKey(command.key));
        break;
      case 'getMany':
        call.result = await cacheOf(viewOf(command.keys[0]!)).getMany(command.keys.map(userKey));
        break;
      case 'set': {
        const value = h.value(`set-${command.key}-`);
        call.value = value;
        h.origins.set(value, { key: command.key, tags: command.tags, from: call.start, set: call });
        await cacheOf(viewOf(command.key)).set(userKey(command.key), value, { tags: command.tags });
        break;
      }
      case 'delete':
        call.result = await cacheOf(viewOf(command.key)).delete(userKey(command.key));
        break;
      case 'deleteMany':
        call.result = await cacheOf(viewOf(command.keys[0]!)).deleteMany(command.keys.map(userKey));
        break;
      case 'deleteByTag':
        call.result = await cacheOf(command.view).deleteByTag(command.tag);
        break;
      case 'clear':
        call.result = await cacheOf(command.view).clear();
        break;
      case 'getOrSet': {
        const loader = () => {
          const value = h.value(`load-${command.key}-`);
          h.origins.set(value, { key: command.key, tags: command.tags, from: h.tick() });
          if (command.fails) {
            const error = new Error(`loader for ${value} failed`);
            h.loaderErrors.add(error);
            return s.schedule(Promise.resolve(), `loader ${command.key} fails`).then(() => {
              throw error;
            });
          }
          return s.schedule(Promise.resolve(value), `loader ${command.key}`);
        };
        call.result = await cacheOf(viewOf(command.key)).getOrSet(userKey(command.key), loader, {
          tags: command.tags,
        });
        break;
      }
    }
  } catch (error) {
    call.error = error;
  }
  call.end = h.tick();
}

function invalidates(d: Command, k: Key, origin: Origin, value: string, dValue: string | undefined): boolean {
  switch (d.kind) {
    case 'set':
      return d.key === k && dValue !== value;
    case 'delete':
      return d.key === k;
    case 'deleteMany':
      return d.keys.includes(k);
    case 'deleteByTag':
      // Tags are qualified by the view they were written in.
      return viewOf(k) === d.view && origin.tags.includes(d.tag);
    case 'clear':
      // The root's clear covers the namespaces under it.
      return d.view === 'root' || viewOf(k) === d.view;
    default:
      return false;
  }
}

function mutates(d: Command, k: Key, setTags: readonly Tag[]): boolean {
  switch (d.kind) {
    case 'set':
    case 'delete':
      return d.key === k;
    case 'deleteMany':
      return d.keys.includes(k);
    case 'deleteByTag':
      return viewOf(k) === d.view && setTags.includes(d.tag);
    case 'clear':
      return d.view === 'root' || viewOf(k) === d.view;
    default:
      return false;
  }
}

/**
 * The reference model. Writes (set, delete, deleteMany) take effect at their start: the cache changes L1 and
 * issues the tier calls synchronously, and tiers apply one key's calls in order. deleteByTag and clear do
 * too when the tiers apply them in one step (in-memory tiers); on real tiers (several commands each) they
 * take effect at some moment between their start and their end.
 * A loader's value exists from the moment the loader was called.
 *
 * - A read (get, each getMany element, getOrSet) of key k may return value v only if v is k's (never another
 *   key's) and v may have been current at some moment t of the call: v existed at t and no write that
 *   removes or replaces v started after v came to be and before t. (So: nothing deleted, overwritten or
 *   invalidated before the call started comes back; a load or read that started before such a write never
 *   lands after it; a getOrSet issued after it never joins the load that started before it.)
 * - Read-your-writes: if a set of k finished before the read started and no other write of k started since
 *   the set started (until the read ended), the read returns exactly that set's value.
 * - getOrSet never returns undefined; it fails only with LoaderError wrapping one of the loaders' errors.
 * `final` adds reads made after everything settled (of this cache, and of a second cache reading only the
 * remote tiers), which must satisfy the same rules.
 */
export function check(h: History, finalReads: FinalRead[], rules: ModelRules): void {
  const { atomicInvalidations, expiring } = rules;
  const writes = h.calls.filter((c) =>
    ['set', 'delete', 'deleteMany', 'deleteByTag', 'clear'].includes(c.command.kind),
  );
  // When a write takes effect: sets and deletes at their start (one command per key, ordered by every
  // tier); deleteByTag and clear somewhere in [start, end] on real tiers (several commands each).
  const spansCall = (d: Call) =>
    !atomicInvalidations && (d.command.kind === 'deleteByTag' || d.command.kind === 'clear');
  const effectFrom = (d: Call) => d.start;
  const effectUntil = (d: Call) => (spansCall(d) ? d.end : d.start);
  const fail = (msg: string): never => {
    throw new Error(`${msg}\nhistory:\n${describe(h)}`);
  };
  const checkRead = (label: string, k: Key, value: unknown, start: number, end: number, mayMiss: boolean) => {
    if (value === undefined) {
      if (!mayMiss) fail(`${label}: returned undefined`);
    } else {
      if (typeof value !== 'string') return fail(`${label}: returned ${String(value)}`);
      const origin = h.origins.get(value);
      if (origin === undefined) return fail(`${label}: returned unknown value ${value}`);
      if (origin.key !== k) fail(`${label}: returned ${value}, a value of key ${origin.key}`);
      const t = Math.max(start, origin.from);
      if (t > end) fail(`${label}: returned ${value} before it existed`);
      const removedBy = writes.find(
        (d) =>
          effectFrom(d) > origin.from &&
          effectUntil(d) < t &&
          invalidates(d.command, k, origin, value, d.value),
      );
      if (removedBy !== undefined)
        fail(
          `${label} [${start}..${end}] returned ${value} (from ${origin.from}), removed at ${removedBy.start} by ${JSON.stringify(removedBy.command)}`,
        );
    }
    // read-your-writes (not when values expire within the run)
    if (expiring) return;
    const done = h.calls.filter(
      (c) =>
        c.command.kind === 'set' &&
        (c.command as { key: Key }).key === k &&
        c.end < start &&
        c.error === undefined,
    );
    for (const c of done) {
      const setTags = (c.command as { tags: Tag[] }).tags;
      const later = writes.some(
        (d) => d !== c && effectUntil(d) > c.start && effectFrom(d) < end && mutates(d.command, k, setTags),
      );
      if (!later && value !== c.value)
        fail(
          `${label} [${start}..${end}] returned ${String(value)}, expected ${c.value} written by the set at ${c.start}`,
        );
    }
  };
  for (const c of h.calls) {
    const label = `${c.command.kind}(${JSON.stringify(c.command)})`;
    const cmd = c.command;
    if (cmd.kind === 'get') {
      if (c.error !== undefined) fail(`${label}: threw ${String(c.error)}`);
      checkRead(label, cmd.key, c.result, c.start, c.end, true);
    } else if (cmd.kind === 'getMany') {
      if (c.error !== undefined) fail(`${label}: threw ${String(c.error)}`);
      const values = c.result as unknown[];
      for (let i = 0; i < cmd.keys.length; i++) {
        const k = cmd.keys[i]!;
        checkRead(`${label}[${k}]`, k, values[i], c.start, c.end, true);
      }
    } else if (cmd.kind === 'getOrSet') {
      if (c.error !== undefined) {
        if (!(c.error instanceof LoaderError) || !h.loaderErrors.has(c.error.cause))
          fail(`${label}: threw ${String(c.error)}`);
        continue;
      }
      checkRead(label, cmd.key, c.result, c.start, c.end, false);
    } else if (c.error !== undefined) {
      fail(`${label}: threw ${String(c.error)}`);
    }
  }
  for (const r of finalReads) checkRead(r.label, r.key, r.value, r.start, r.end, true);
}

function describe(h: History): string {
  return h.calls
    .map(
      (c) =>
        `  [${c.start}..${c.end}] ${JSON.stringify(c.command)}${c.value ? ` wrote ${c.value}` : ''} -> ${
          c.error !== undefined ? `threw ${String(c.error)}` : JSON.stringify(c.result)
        }`,
    )
    .join('\n');
}

/** Runs the final reads (this cache and a fresh instance over the same remote tiers) and checks the history. */
export async function checkAfterwards(
  h: History,
  s: fc.Scheduler,
  cache: Cache,
  fresh: Cache | undefined,
  rules: ModelRules,
): Promise<void> {
  const finalReads: FinalRead[] = [];
  for (const k of KEYS) {
    const start = h.tick();
    const value = await s.waitFor(viewed(cache, k).get(userKey(k)));
    finalReads.push({ key: k, value, label: `final get(${k})`, start, end: h.tick() });
  }
  if (fresh !== undefined) {
    for (const k of KEYS) {
      const start = h.tick();
      const remote = await s.waitFor(viewed(fresh, k).get(userKey(k)));
      finalReads.push({
        key: k,
        value: remote,
        label: `final get(${k}) from the remote tiers`,
        start,
        end: h.tick(),
      });
      const local = finalReads.find((r) => r.key === k)!.value;
      // With expiring values the two reads may straddle an expiry: then only two different values disagree.
      const comparable = !rules.expiring || (remote !== undefined && local !== undefined);
      if (comparable && remote !== local) {
        throw new Error(
          `after all calls settled, L1 has ${String(local)} for ${k} but the remote tiers have ${String(remote)}\nhistory:\n${describe(h)}`,
        );
      }
    }
  }
  check(h, finalReads, rules);
}

function viewed(cache: Cache, k: Key): Cache {
  return viewOf(k) === 'n' ? cache.namespace('n') : cache;
}

/** A read made after every call settled (background refreshes may still run meanwhile). */
interface FinalRead {
  key: Key;
  value: unknown;
  label: string;
  start: number;
  end: number;
}

export interface ModelRules {
  /** The remote tiers apply deleteByTag and clear in one step (in-memory tiers): they must take effect at their start. */
  atomicInvalidations: boolean;
  /**
   * Values expire within a run (modelCache(..., true)): stale-while-revalidate, grace and soft timeouts serve
   * stale values, so read-your-writes is not checked; nothing removed may come back all the same.
   */
  expiring: boolean;
}

/** Defaults for `expiring` runs: values go stale within milliseconds and are served stale for a while. */
const EXPIRING = { ttl: 3, staleWhileRevalidate: 15, grace: 30, graceBackoff: 1, timeouts: { soft: 1 } };

/**
 * A cache over the given remote tiers, with timeouts far above any test's duration; with `lock`, loads take
 * the stampede lock (polling every millisecond when it is held).
 */
export function modelCache(
  name: string,
  tiers: { l2?: Tier; l3?: Tier },
  expiring = false,
  lock?: DistributedLock,
): Cache {
  return createCache({
    name,
    l1: { capacity: 100 },
    defaults: expiring ? EXPIRING : { ttl: 600_000 },
    ...(lock ? { lock: { lock, pollMs: 1, ttlMs: 5_000 } } : {}),
    ...(tiers.l2 ? { l2: { tier: tiers.l2, timeoutMs: 60_000 } } : {}),
    ...(tiers.l3 ? { l3: { tier: tiers.l3, timeoutMs: 60_000 } } : {}),
  });
}

export interface ModelSetup {
  /** The cache under test, its remote tiers wrapped in ScheduledTier with `s`. */
  cache: Cache;
  /** A second cache over the same remote tiers (unwrapped), for the final cross-tier check. */
  fresh?: Cache;
  cleanup?: () => Promise<void>;
}

/**
 * Runs the model: `runs` random batches of up to `maxCommands` concurrent calls, each batch on the caches
 * `setup` builds (a new cache name per run keeps runs apart on shared servers).
 */
export async function assertModel(options: {
  runs: number;
  maxCommands?: number;
  rules: ModelRules;
  setup: (s: fc.Scheduler) => Promise<ModelSetup> | ModelSetup;
  /** Called with the cache under test after each run (e.g. to collect its stats). */
  afterRun?: (cache: Cache) => void;
}): Promise<void> {
  const max = options.maxCommands ?? 14;
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      fc.array(command, { minLength: 1, maxLength: max }),
      fc.array(fc.integer({ min: 0, max: 8 }), { minLength: max, maxLength: max }),
      async (s, commands, delays) => {
        const { cache, fresh, cleanup } = await options.setup(s);
        try {
          const h = await runCommands(cache, s, commands, options.rules.expiring ? delays : undefined);
          await checkAfterwards(h, s, cache, fresh, options.rules);
          options.afterRun?.(cache);
        } finally {
          await cleanup?.();
        }
      },
    ),
    { numRuns: options.runs },
  );
}

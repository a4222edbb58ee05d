/**
 * Per-key versions: why one process never serves what it already overwrote or deleted.
 *
 * Generations (in the process). Anything that may write a key into L1 later than it decided to (a remote
 * read that promotes, a load that writes back, the single-flight entry others join) takes a `Ticket` when
 * it starts. Every write of the key into L1 and every removal of the key bumps the key's generation. Tag
 * and prefix invalidations (deleteByTag, clear) are appended to a short log, at their start and again at
 * their end, and nothing they cover lands while they run (their remote steps take several commands). An
 * operation lands (writes L1, writes back to remote tiers, lets later callers join it) only while
 * `current(ticket, tags)` holds, checked synchronously right before it writes; the remote writes it then
 * issues are ordered per key by the tiers after every earlier write or delete of the key.
 *
 * Bounded: a generation exists only while some ticket for the key is open (entries go when the last ticket
 * is released, so the table never holds more keys than there are operations in flight); the invalidation
 * log keeps the last LOG_SIZE tag/prefix invalidations, and a ticket older than the log counts as
 * invalidated (it does not land; its caller still gets the value it read or loaded); pending invalidations
 * are counted per target only while they run.
 *
 * Record versions (across processes). `stamp()` is a hybrid logical clock, one per process: milliseconds
 * times 1024 plus a counter, never going backwards and never below a version this process has seen
 * (`observe`). Every value written to a remote tier carries the stamp of its write in its StoredRecord, so
 * tiers (and the invalidation bus) can order two writes of one key made by different processes.
 */

/** A tag or prefix invalidation whose remote steps are still running (see `beginInvalidation`). */
export interface PendingInvalidation {
  readonly kind: 'tag' | 'prefix';
  readonly target: string;
}

/** One key's generation while operations on it are in flight. */
interface Slot {
  gen: number;
  refs: number;
}

/** What an operation remembers of the key when it started. */
export interface Ticket {
  readonly key: string;
  /** @internal */
  readonly slot: Slot;
  /** The key's generation when the ticket was taken (or last landed). */
  gen: number;
  /** The invalidation log's sequence when the ticket was taken (or last landed). */
  seq: number;
  open: boolean;
}

const LOG_SIZE = 1024;
/** Hybrid logical clock: 1024 stamps per millisecond before the counter runs ahead of the wall clock. */
const STAMPS_PER_MS = 1024;
/**
 * One clock per process, shared by every cache in it: two caches writing one key through a shared tier
 * (the same directory, the same Redis) in sequence stamp it in that sequence.
 */
const clock = { last: 0 };

function nextStamp(): number {
  const wall = Date.now() * STAMPS_PER_MS;
  clock.last = wall > clock.last ? wall : clock.last + 1;
  return clock.last;
}

const KIND_TAG = 1;
const KIND_PREFIX = 2;

export class KeyVersions {
  readonly #slots = new Map<string, Slot>();
  readonly #logKind = new Uint8Array(LOG_SIZE);
  readonly #logTarget: string[] = new Array<string>(LOG_SIZE).fill('');
  /** Number of tag/prefix invalidations so far (entry s lives at index (s - 1) % LOG_SIZE). */
  #seq = 0;
  /** Tag/prefix invalidations in progress, counted per target (entries exist only while one runs). */
  readonly #pendingTags = new Map<string, number>();
  readonly #pendingPrefixes = new Map<string, number>();

  /** Keys that currently have a generation (operations in flight); for tests and diagnostics. */
  get tracked(): number {
    return this.#slots.size;
  }

  /** Opens a ticket for `key` (a remote key: cache + namespace + key). Release it with `end`. */
  begin(key: string): Ticket {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { gen: 0, refs: 0 };
      this.#slots.set(key, slot);
    }
    slot.refs++;
    return { key, slot, gen: slot.gen, seq: this.#seq, open: true };
  }

  /** Releases a ticket (idempotent). */
  end(t: Ticket): void {
    if (!t.open) return;
    t.open = false;
    const slot = t.slot;
    if (--slot.refs === 0 && this.#slots.get(t.key) === slot) this.#slots.delete(t.key);
  }

  /**
   * Whether nothing has written, removed or invalidated the ticket's key since the ticket was taken (or
   * last landed). `tags` are the qualified tags of the value about to land.
   */
  current(t: Ticket, tags: readonly string[] | undefined): boolean {
    if (t.slot.gen !== t.gen) return false;
    if (this.#pendingPrefixes.size > 0) {
      for (const prefix of this.#pendingPrefixes.keys()) if (t.key.startsWith(prefix)) return false;
    }
    if (this.#pendingTags.size > 0 && tags !== undefined) {
      for (const tag of tags) if (this.#pendingTags.has(tag)) return false;
    }
    const seq = this.#seq;
    if (t.seq === seq) return true;
    if (seq - t.seq > LOG_SIZE) return false;
    for (let s = t.seq + 1; s <= seq; s++) {
      const i = (s - 1) % LOG_SIZE;
      const target = this.#logTarget[i]!;
      if (this.#logKind[i] === KIND_PREFIX) {
        if (t.key.startsWith(target)) return false;
      } else if (tags?.includes(target)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Records that the ticket's operation just wrote its value into L1: every other open ticket of the key
   * stops being current, this one stays current (callers joining it get a value that is the key's latest).
   */
  landed(t: Ticket): void {
    t.gen = ++t.slot.gen;
    t.seq = this.#seq;
  }

  /** A write or removal of `key` (set, delete, or an invalidation from elsewhere): open tickets go stale. */
  bumpKey(key: string): void {
    const slot = this.#slots.get(key);
    if (slot !== undefined) slot.gen++;
  }

  /** Every value tagged with `qualifiedTag` was invalidated: open tickets of values carrying it go stale. */
  invalidateTag(qualifiedTag: string): void {
    this.#log(KIND_TAG, qualifiedTag);
  }

  /** Every key starting with `prefix` was invalidated ('' = every key). */
  invalidatePrefix(prefix: string): void {
    this.#log(KIND_PREFIX, prefix);
  }

  /**
   * Starts a tag or prefix invalidation whose remote steps take a while (deleteByTag and clear are several
   * commands in Redis and in a directory, so a read issued meanwhile can still find a value they will
   * remove). Until `endInvalidation`, nothing covered by it lands; afterwards, nothing whose ticket was taken
   * before the end does.
   */
  beginInvalidation(kind: 'tag' | 'prefix', target: string): PendingInvalidation {
    const pending = kind === 'tag' ? this.#pendingTags : this.#pendingPrefixes;
    pending.set(target, (pending.get(target) ?? 0) + 1);
    this.#log(kind === 'tag' ? KIND_TAG : KIND_PREFIX, target);
    return { kind, target };
  }

  endInvalidation(p: PendingInvalidation): void {
    const pending = p.kind === 'tag' ? this.#pendingTags : this.#pendingPrefixes;
    const n = (pending.get(p.target) ?? 1) - 1;
    if (n <= 0) pending.delete(p.target);
    else pending.set(p.target, n);
    this.#log(p.kind === 'tag' ? KIND_TAG : KIND_PREFIX, p.target);
  }

  /** Runs the steps of a tag or prefix invalidation between beginInvalidation and endInvalidation. */
  async during<T>(kind: 'tag' | 'prefix', target: string, work: () => Promise<T>): Promise<T> {
    const pending = this.beginInvalidation(kind, target);
    try {
      return await work();
    } finally {
      this.endInvalidation(pending);
    }
  }

  /** A new record version: greater than every version this process issued or observed. */
  stamp(): number {
    return nextStamp();
  }

  /** Folds in a version seen elsewhere (a record read from a tier, a bus message), so later stamps exceed it. */
  observe(version: number): void {
    if (version > clock.last && Number.isSafeInteger(version)) clock.last = version;
  }

  #log(kind: number, target: string): void {
    const i = this.#seq % LOG_SIZE;
    this.#logKind[i] = kind;
    this.#logTarget[i] = target;
    this.#seq++;
  }
}

import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * The cache's one event channel. Every observer (telemetry, logging, tests) subscribes here; the
 * cache itself knows nothing of who listens. Emitting costs one property read per event type when
 * nobody listens: the caller checks `active[type]` (or `dc.hasSubscribers`) before it builds the
 * event object, so an L1 hit with no listeners allocates nothing.
 *
 * Events are mirrored to `node:diagnostics_channel` under DIAGNOSTICS_CHANNEL when it has subscribers.
 */
export const DIAGNOSTICS_CHANNEL = 'omnicache:events';

/** Where an event happened. `l1` is the in-process memory tier; `l2`/`l3` are remote tiers; `loader` is the user's loader. */
export type TierName = 'l1' | 'l2' | 'l3';
export type EvictionReason = 'capacity' | 'expired' | 'invalidated';
export type LoadOutcome = 'success' | 'error' | 'timeout';
export type StaleReason = 'swr' | 'grace' | 'soft-timeout' | 'backoff' | 'allow-stale';
export type CircuitState = 'closed' | 'open' | 'half-open';
export type TierOperation =
  | 'get'
  | 'getMany'
  | 'set'
  | 'setMany'
  | 'delete'
  | 'deleteMany'
  | 'deleteByTag'
  | 'clear';

interface EventBase {
  /** Cache name. */
  cache: string;
}
/** A read found a value (`stale: false`) in a tier. */
export interface HitEvent extends EventBase {
  type: 'hit';
  tier: TierName;
  key: string;
}
export interface MissEvent extends EventBase {
  type: 'miss';
  tier: TierName;
  key: string;
}
/** A stale value was served (stale-while-revalidate, grace on loader failure, soft timeout, or retry backoff). */
export interface StaleEvent extends EventBase {
  type: 'stale';
  tier: TierName;
  key: string;
  reason: StaleReason;
}
export interface SetEvent extends EventBase {
  type: 'set';
  tier: TierName;
  key: string;
  /** Fresh time to live in ms after jitter. */
  ttlMs: number;
}
export interface EvictEvent extends EventBase {
  type: 'evict';
  tier: 'l1';
  key: string;
  reason: EvictionReason;
}
/** A value moved up (hit in a lower tier filled an upper tier). */
export interface PromoteEvent extends EventBase {
  type: 'promote';
  from: TierName;
  to: TierName;
  key: string;
}
/** A value moved down (an L1 eviction was written to L2). */
export interface DemoteEvent extends EventBase {
  type: 'demote';
  from: TierName;
  to: TierName;
  key: string;
}
/** Explicit removal: one key, a tag, or a prefix (clear of a cache or namespace). */
export interface InvalidateEvent extends EventBase {
  type: 'invalidate';
  scope: 'key' | 'tag' | 'prefix';
  /** Fully qualified key, tag or prefix. */
  target: string;
  /** Entries removed across all tiers, when known. */
  removed: number;
  /** Where it came from: a call on this instance (default), a bus message from another instance, or a webhook. */
  source?: 'local' | 'bus' | 'webhook';
}
/**
 * The invalidation bus: a message from another instance was applied (`received`, with its lag), came again
 * (`duplicate`), was refused (`rejected`), a queued message was dropped while the bus was down (`dropped`), lost
 * messages were detected (`gap`) or the subscription was re-established after a disconnect (`reset`); the last
 * two clear this cache's L1. `start-failed`: subscribing failed and is retried (messages wait in the queue).
 */
export interface BusEvent extends EventBase {
  type: 'bus';
  transport: string;
  outcome: 'received' | 'duplicate' | 'rejected' | 'dropped' | 'gap' | 'reset' | 'start-failed';
  /** received: ms from publish (the origin's hybrid logical clock) to applied here. */
  lagMs?: number;
  reason?: string;
}
/** One loader call finished. */
export interface LoadEvent extends EventBase {
  type: 'load';
  key: string;
  outcome: LoadOutcome;
  durationMs: number;
  error?: unknown;
}
/** A remote tier operation failed or timed out (absorbed by the cache). */
export interface ErrorEvent extends EventBase {
  type: 'error';
  tier: TierName;
  operation: TierOperation;
  error: unknown;
}
/** Bytes in a remote tier could not be decoded; the read was treated as a miss. */
export interface DecodeErrorEvent extends EventBase {
  type: 'decode-error';
  tier: TierName;
  key: string;
  error: unknown;
}
export interface CircuitEvent extends EventBase {
  type: 'circuit';
  tier: TierName;
  from: CircuitState;
  to: CircuitState;
}
/** A getOrSet call coalesced onto another in-flight load of the same key (single-flight). */
export interface CoalesceEvent extends EventBase {
  type: 'coalesce';
  key: string;
}
/** The cross-instance stampede lock: acquired, waited for another holder's value, or gave up waiting. */
export interface LockEvent extends EventBase {
  type: 'lock';
  key: string;
  outcome: 'acquired' | 'waited' | 'expired' | 'error';
}

/** The access policy refused a cache call (the caller got an AccessDeniedError). */
export interface AccessDeniedEvent extends EventBase {
  type: 'access-denied';
  namespace: string;
  operation: 'read' | 'write' | 'delete' | 'clear' | 'admin';
  /** The principal id, undefined when the call ran with no principal. */
  principal: string | undefined;
  error: unknown;
}

export type CacheEvent =
  | HitEvent
  | MissEvent
  | StaleEvent
  | SetEvent
  | EvictEvent
  | PromoteEvent
  | DemoteEvent
  | InvalidateEvent
  | LoadEvent
  | ErrorEvent
  | DecodeErrorEvent
  | CircuitEvent
  | CoalesceEvent
  | LockEvent
  | AccessDeniedEvent
  | BusEvent;

export type CacheEventType = CacheEvent['type'];
export type CacheEventOf<T extends CacheEventType> = Extract<CacheEvent, { type: T }>;
export type CacheEventListener<T extends CacheEventType = CacheEventType> = (event: CacheEventOf<T>) => void;

export const CACHE_EVENT_TYPES: readonly CacheEventType[] = [
  'hit',
  'miss',
  'stale',
  'set',
  'evict',
  'promote',
  'demote',
  'invalidate',
  'load',
  'error',
  'decode-error',
  'circuit',
  'coalesce',
  'lock',
  'access-denied',
  'bus',
];

const dc = diagnosticsChannel.channel(DIAGNOSTICS_CHANNEL);

type Listeners = { [T in CacheEventType]: CacheEventListener<T>[] };
type Active = { [T in CacheEventType]: boolean };

export class CacheEvents {
  /**
   * `active[type]` is true when a local listener for `type` exists or diagnostics_channel has subscribers.
   * The cache reads it before building an event. Kept as plain booleans for the hot path.
   */
  readonly active: Active;
  private readonly listeners: Listeners;
  private readonly anyListeners: CacheEventListener[] = [];

  constructor() {
    const active = {} as Record<string, boolean>;
    const listeners = {} as Record<string, unknown[]>;
    for (const t of CACHE_EVENT_TYPES) {
      active[t] = false;
      listeners[t] = [];
    }
    this.active = active as Active;
    this.listeners = listeners as unknown as Listeners;
  }

  /** True when an event of `type` would reach anyone (local listener or diagnostics_channel subscriber). */
  wants(type: CacheEventType): boolean {
    return this.active[type] || dc.hasSubscribers;
  }

  /** Subscribes to one event type. Returns the unsubscribe function. */
  on<T extends CacheEventType>(type: T, listener: CacheEventListener<T>): () => void {
    if (!CACHE_EVENT_TYPES.includes(type)) {
      throw new TypeError(`unknown cache event type "${type}"; valid types: ${CACHE_EVENT_TYPES.join(', ')}`);
    }
    (this.listeners[type] as CacheEventListener<T>[]).push(listener);
    this.refresh();
    return () => this.off(type, listener);
  }

  off<T extends CacheEventType>(type: T, listener: CacheEventListener<T>): void {
    const list = this.listeners[type] as CacheEventListener<T>[];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    this.refresh();
  }

  /** Subscribes to every event type. Returns the unsubscribe function. */
  onAny(listener: CacheEventListener): () => void {
    this.anyListeners.push(listener);
    this.refresh();
    return () => {
      const i = this.anyListeners.indexOf(listener);
      if (i >= 0) this.anyListeners.splice(i, 1);
      this.refresh();
    };
  }

  listenerCount(type?: CacheEventType): number {
    if (type === undefined) {
      let n = this.anyListeners.length;
      for (const t of CACHE_EVENT_TYPES) n += this.listeners[t].length;
      return n;
    }
    return this.listeners[type].length + this.anyListeners.length;
  }

  /**
   * Delivers an event. Callers guard with `active[type] || wants(type)` so the object is only built
   * when someone listens. A throwing listener never breaks the cache: the error is reported on
   * process 'warning' and the remaining listeners still run.
   */
  emit(event: CacheEvent): void {
    const list = this.listeners[event.type] as CacheEventListener[];
    for (let i = 0; i < list.length; i++) this.call(list[i]!, event);
    for (let i = 0; i < this.anyListeners.length; i++) this.call(this.anyListeners[i]!, event);
    if (dc.hasSubscribers) dc.publish(event);
  }

  private call(listener: CacheEventListener, event: CacheEvent): void {
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(`omnicache event listener for "${event.type}" threw: ${String(error)}`, {
        code: 'OMNICACHE_LISTENER',
      });
    }
  }

  private refresh(): void {
    const any = this.anyListeners.length > 0;
    for (const t of CACHE_EVENT_TYPES)
      (this.active as Record<string, boolean>)[t] = any || this.listeners[t].length > 0;
  }
}

/** The diagnostics channel events are mirrored to; the cache checks `hasSubscribers` on its hot path. */
export const eventsDiagnosticsChannel: diagnosticsChannel.Channel = dc;

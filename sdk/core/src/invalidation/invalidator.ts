/**
 * Invalidation across the instances of one cache group. The origin removes from its own tiers (the cache does
 * that), then publishes a message; every other instance drops the same entries from its L1 (remote tiers are
 * shared, the origin already cleaned them). Each message is applied once (per-origin sequence numbers), lost
 * messages are detected (holes in a sequence, heartbeats) and answered by clearing this cache's L1, and while
 * the bus is down messages wait in a bounded queue (oldest dropped first, counted) and are retried.
 */
import { randomUUID } from 'node:crypto';
import type { CacheCore } from '../cache/core.js';
import { erasedOnRequest } from '../cache/erasure.js';
import type { BusEvent } from '../events.js';
import { backoffDelay } from '../resilience/backoff.js';
import { ATTR, SPANS } from '../telemetry/conventions.js';
import type { Bus, BusOutgoing } from './bus.js';
import { DelayedQueue } from './delayed-queue.js';
import { DependencyGraph } from './dependency-graph.js';
import { compareHlc, type HlcTimestamp, HybridLogicalClock } from './hlc.js';
import {
  type BusMessage,
  decodeMessage,
  encodeMessage,
  type InvalidateMessage,
  type InvalidationCause,
  MAX_TARGETS,
  MESSAGE_VERSION,
} from './messages.js';
import type { ResolvedBusOptions } from './options.js';
import { l1KeyOf, l1PrefixOf, parseRemoteKey } from './qualified-names.js';
import { type SequenceGap, SequenceTracker } from './sequence.js';
import { currentTraceCarrier, inSpan } from './trace-context.js';

/** Where an invalidation came from on this instance: a call here, a message from another instance, a webhook. */
export type InvalidationSource = 'local' | 'bus' | 'webhook';
export type InvalidationStatCause = InvalidationCause | 'gap';

export interface BusMessageCounts {
  /** Handed to the transport. */
  published: number;
  /** Valid messages from other instances. */
  received: number;
  /** Received again (same origin and sequence number): not applied twice. */
  duplicate: number;
  /** Malformed, oversized, or for another group: not applied. */
  rejected: number;
  /** Dropped from the full publish queue while the bus was down. */
  dropped: number;
  /** Publish attempts that failed and were queued for retry. */
  failed: number;
}

export interface InvalidationStats {
  transport: string;
  origin: string;
  /** Invalidations performed on this instance, by cause and source. */
  invalidations: { cause: InvalidationStatCause; source: InvalidationSource; count: number }[];
  messages: BusMessageCounts;
  /** Messages waiting for the bus. */
  queued: number;
  /** Lost messages detected (each answered by clearing L1). */
  gaps: number;
  /** Subscriptions re-established after a disconnect (each answered by clearing L1). */
  resets: number;
  /** Dependency edges held in memory. */
  edges: number;
}

/** Queued messages sent per transport call once the bus is back. */
const PUMP_BATCH = 500;

/** Delays after an applied invalidation at which L1 is cleaned again (see bumpVersion). */
const FENCE_DELAYS_MS = [20];

export class CacheInvalidation {
  readonly origin = randomUUID();
  readonly group: string;
  readonly graph: DependencyGraph;
  readonly options: ResolvedBusOptions;
  readonly #core: CacheCore;
  readonly #bus: Bus | undefined;
  readonly #hlc = new HybridLogicalClock();
  readonly #tracker: SequenceTracker;
  readonly #queue: BusOutgoing[] = [];
  readonly #counts: BusMessageCounts = {
    published: 0,
    received: 0,
    duplicate: 0,
    rejected: 0,
    dropped: 0,
    failed: 0,
  };
  readonly #invalidations = new Map<string, number>();
  /** HLC of the last local write per remote key, only without remote tiers (see #isNewer); bounded by L1 capacity. */
  readonly #writes = new Map<string, HlcTimestamp>();
  readonly #fences: DelayedQueue[];
  #seq = 0;
  #gaps = 0;
  #resets = 0;
  #started = false;
  #closed = false;
  #pumping = false;
  #retryAttempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #lastPublishAt = 0;
  readonly ready: Promise<void>;

  /** Without a bus, invalidate() and dependencies still work locally and nothing is published. */
  constructor(core: CacheCore, options: ResolvedBusOptions) {
    this.#core = core;
    this.options = options;
    this.#bus = options.bus;
    this.group = options.group ?? core.name;
    this.graph = new DependencyGraph(options.maxEdges);
    const window = options.reorderWindowMs ?? (options.bus === undefined || options.bus.ordered ? 0 : 5_000);
    this.#tracker = new SequenceTracker({ reorderWindowMs: window });
    this.#fences = [...FENCE_DELAYS_MS, core.defaults.timeouts.tier].map((d) => new DelayedQueue(d));
    // Until the bus has started, messages wait in the queue; a start that fails is retried (backoff).
    this.ready = this.#start(window);
    this.ready.catch(() => undefined);
  }

  get transport(): string {
    return this.#bus?.kind ?? 'none';
  }

  /** Whether invalidations are published to other instances (false for a local-only engine). */
  get hasBus(): boolean {
    return this.#bus !== undefined;
  }

  async #start(window: number): Promise<void> {
    const bus = this.#bus;
    if (bus === undefined) return;
    const handler = {
      message: (payload: string | Uint8Array) => this.receive(payload),
      reset: (reason: string) => this.#reset(reason),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await bus.start(this.group, handler);
        break;
      } catch (error) {
        if (this.#closed) throw error;
        this.#emitBus('start-failed', undefined, String(error));
        const delay = backoffDelay(attempt, this.options.retryMinMs, this.options.retryMaxMs);
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
    if (this.#closed) return;
    this.#started = true;
    this.#heartbeat = setInterval(() => this.#beat(), this.options.heartbeatMs);
    this.#heartbeat.unref();
    if (window > 0) {
      this.#expiry = setInterval(() => this.#expireMissing(), Math.max(10, Math.floor(window / 4)));
      this.#expiry.unref();
    }
    void this.#pump();
  }

  // ------------------------------------------------------------ publishing (origin side)

  /** Publishes an invalidation this instance already applied to its own tiers. */
  publish(
    op: InvalidateMessage['op'],
    targets: readonly string[],
    cause: InvalidationCause,
    source: 'local' | 'webhook',
  ): void {
    // A set() invalidates the other instances' copies, not anything here.
    if (cause !== 'set') this.count(cause, source, 1);
    if (this.#closed || targets.length === 0 || this.#bus === undefined) return;
    const trace = currentTraceCarrier();
    for (let i = 0; i < targets.length; i += MAX_TARGETS) {
      const chunk = targets.slice(i, i + MAX_TARGETS);
      const message: InvalidateMessage = {
        v: MESSAGE_VERSION,
        kind: 'invalidate',
        group: this.group,
        origin: this.origin,
        seq: ++this.#seq,
        hlc: this.#hlc.now(),
        op,
        targets: chunk,
        cause,
        source,
      };
      if (trace !== undefined) message.trace = trace;
      this.#send({ key: chunk[0]!, payload: encodeMessage(message) });
    }
  }

  /** A local write: stamps it (for newer-than checks) and tells the others to drop their copies. */
  wrote(remoteKeys: readonly string[]): void {
    if (this.#core.remotes.length === 0) {
      const stamp = this.#hlc.now();
      const cap = this.#core.l1.policy.capacity;
      for (const k of remoteKeys) {
        this.#writes.delete(k);
        this.#writes.set(k, stamp);
      }
      while (this.#writes.size > cap) {
        const oldest = this.#writes.keys().next().value;
        if (oldest === undefined) break;
        this.#writes.delete(oldest);
      }
    }
    if (this.options.publishOnSet && this.#bus !== undefined)
      this.publish('keys', remoteKeys, 'set', 'local');
  }

  #send(out: BusOutgoing): void {
    this.#lastPublishAt = Date.now();
    const bus = this.#bus;
    if (bus === undefined) return;
    if (!this.#started || this.#queue.length > 0 || this.#pumping) {
      this.#enqueue(out);
      return;
    }
    bus.publish([out]).then(
      () => {
        this.#counts.published++;
      },
      () => {
        this.#counts.failed++;
        this.#enqueue(out);
        this.#scheduleRetry();
      },
    );
  }

  #enqueue(out: BusOutgoing): void {
    this.#queue.push(out);
    while (this.#queue.length > this.options.maxQueue) {
      this.#queue.shift();
      this.#counts.dropped++;
      this.#emitBus('dropped');
    }
  }

  /** Sends the queue in order, one message at a time; on failure, waits (backoff) and tries again. */
  async #pump(): Promise<void> {
    const bus = this.#bus;
    if (this.#pumping || !this.#started || bus === undefined) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue.slice(0, PUMP_BATCH);
        try {
          await bus.publish(batch);
        } catch {
          this.#counts.failed += batch.length;
          this.#scheduleRetry();
          return;
        }
        // The queue may have overflowed meanwhile (its head dropped): remove what is left of this batch.
        const first = this.#queue.length > 0 ? batch.indexOf(this.#queue[0]!) : -1;
        if (first >= 0) this.#queue.splice(0, batch.length - first);
        this.#counts.published += batch.length;
        this.#retryAttempt = 0;
      }
    } finally {
      this.#pumping = false;
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#closed) return;
    const delay = backoffDelay(this.#retryAttempt++, this.options.retryMinMs, this.options.retryMaxMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#pump();
    }, delay);
    this.#retryTimer.unref();
  }

  #beat(): void {
    if (this.#queue.length > 0) {
      void this.#pump();
      return;
    }
    if (Date.now() - this.#lastPublishAt < this.options.heartbeatMs / 2) return;
    const message: BusMessage = {
      v: MESSAGE_VERSION,
      kind: 'heartbeat',
      group: this.group,
      origin: this.origin,
      seq: this.#seq,
      hlc: this.#hlc.now(),
    };
    // Not queued: a heartbeat that cannot be sent is simply replaced by the next one.
    this.#bus?.publish([{ key: this.origin, payload: encodeMessage(message) }]).catch(() => undefined);
  }

  // ------------------------------------------------------------ receiving (other instances)

  /** One payload from the bus (exposed for transports and tests). */
  receive(payload: string | Uint8Array): void {
    if (this.#closed) return;
    const decoded = decodeMessage(payload);
    if (!decoded.ok) {
      this.#counts.rejected++;
      this.#emitBus('rejected', undefined, decoded.reason);
      return;
    }
    const m = decoded.message;
    if (m.group !== this.group) {
      this.#counts.rejected++;
      this.#emitBus('rejected', undefined, `message for group "${m.group}"`);
      return;
    }
    if (m.origin === this.origin) return;
    this.#hlc.receive(m.hlc);
    const gaps: SequenceGap[] = [];
    if (m.kind === 'heartbeat') {
      this.#tracker.heartbeat(m.origin, m.seq, gaps);
      this.#onGaps(gaps);
      return;
    }
    const verdict = this.#tracker.observe(m.origin, m.seq, gaps);
    this.#onGaps(gaps);
    if (verdict === 'duplicate') {
      this.#counts.duplicate++;
      this.#emitBus('duplicate');
      return;
    }
    this.#counts.received++;
    const lagMs = Math.max(0, Date.now() - m.hlc.wall);
    // A span only continues a trace the origin had: untraced messages start no trace of their own.
    if (m.trace === undefined) this.#apply(m);
    else {
      inSpan(
        SPANS.invalidationApply,
        'consumer',
        { [ATTR.cache]: this.#core.name, [ATTR.busTransport]: this.transport },
        () => this.#apply(m),
        m.trace,
      );
    }
    this.#emitBus('received', lagMs);
  }

  #apply(m: InvalidateMessage): void {
    const core = this.#core;
    const cache = core.name;
    let removed = 0;
    if (m.op === 'keys') {
      // An invalidation cascades: the origin computed the closure with what it knows; dependents only this
      // instance knows of go too. (set, delete and deleteMany do not cascade, here or on the origin.)
      const cascade = m.cause === 'invalidate' || m.cause === 'dependency' || m.cause === 'tag';
      const keys = new Set<string>();
      const stack = [...m.targets];
      while (stack.length > 0 && keys.size < this.options.maxCascade) {
        const k = stack.pop()!;
        if (keys.has(k)) continue;
        keys.add(k);
        if (!cascade) continue;
        const deps = this.graph.dependentsOf(k);
        if (deps !== undefined) for (const d of deps) if (!keys.has(d)) stack.push(d);
      }
      const l1Keys: string[] = [];
      for (const k of keys) {
        const parsed = parseRemoteKey(cache, k);
        if (parsed === undefined) continue;
        if (cascade) this.graph.drop(k);
        if (this.#isNewer(k, m.hlc)) continue;
        const l1Key = l1KeyOf(parsed);
        l1Keys.push(l1Key);
        core.versions.bumpKey(k); // per-key versions: a read or load of it in flight here does not land
        if (core.l1.delete(l1Key)) removed++;
      }
      this.bumpVersion({ keys: l1Keys });
    } else if (m.op === 'tag') {
      for (const t of m.targets) {
        core.versions.invalidateTag(t);
        const n = core.l1.deleteByTag(t);
        removed += n;
        this.bumpVersion({ tag: t });
        if (m.cause === 'erasure') erasedOnRequest(core, t, n, m.origin);
      }
    } else {
      for (const t of m.targets) {
        const prefix = l1PrefixForTarget(cache, t);
        if (prefix === undefined) continue;
        core.versions.invalidatePrefix(t);
        removed += core.l1.clear(prefix);
        this.bumpVersion({ prefix });
      }
    }
    this.count(m.cause, 'bus', 1);
    const ev = core.events;
    if (ev.wants('invalidate')) {
      const scope = m.op === 'keys' ? 'key' : m.op;
      for (const target of m.targets)
        ev.emit({ type: 'invalidate', cache, scope, target, removed, source: 'bus' });
    }
  }

  /**
   * Without remote tiers, L1 is the instance's own truth: a local write stamped after the message (by HLC)
   * is newer and stays. With remote tiers the shared tier decides (writes there are not ordered by HLC), so L1
   * always drops its copy and re-reads.
   */
  #isNewer(remoteKey: string, messageHlc: HlcTimestamp): boolean {
    if (this.#core.remotes.length > 0) return false;
    const written = this.#writes.get(remoteKey);
    return written !== undefined && compareHlc(written, messageHlc) > 0;
  }

  /**
   * A second line of defence after the per-key versions (cache/versions.ts, bumped where an invalidation is
   * applied): L1 is cleaned again shortly after (20 ms, then the tier time budget), for a value that another
   * instance's tier call still in flight hands back after the message was applied.
   */
  bumpVersion(target: { keys: readonly string[] } | { tag: string } | { prefix: string }): void {
    // Only a shared remote tier can hand an old value back to a read in flight.
    if (this.#closed || this.#core.remotes.length === 0) return;
    const l1 = this.#core.l1;
    const again = () => {
      if ('keys' in target) for (const k of target.keys) l1.delete(k);
      else if ('tag' in target) l1.deleteByTag(target.tag);
      else l1.clear(target.prefix);
    };
    for (const f of this.#fences) f.add(again);
  }

  #onGaps(gaps: readonly SequenceGap[]): void {
    if (gaps.length === 0) return;
    let missing = 0;
    for (const g of gaps) missing += g.missing;
    this.#gaps += missing;
    this.#core.versions.invalidatePrefix(`${this.#core.name}:`);
    const removed = this.#core.l1.clear('');
    this.count('gap', 'bus', 1);
    this.#emitBus(
      'gap',
      undefined,
      `${missing} message(s) lost from ${gaps.map((g) => g.origin).join(', ')}`,
    );
    const ev = this.#core.events;
    if (ev.wants('invalidate'))
      ev.emit({
        type: 'invalidate',
        cache: this.#core.name,
        scope: 'prefix',
        target: `${this.#core.name}:`,
        removed,
        source: 'bus',
      });
  }

  #expireMissing(): void {
    if (!this.#tracker.pending) return;
    const gaps: SequenceGap[] = [];
    this.#tracker.expire(gaps);
    this.#onGaps(gaps);
  }

  #reset(reason: string): void {
    if (this.#closed) return;
    this.#resets++;
    this.#core.l1.clear('');
    this.count('gap', 'bus', 1);
    this.#emitBus('reset', undefined, reason);
  }

  // ------------------------------------------------------------ bookkeeping

  count(cause: InvalidationStatCause, source: InvalidationSource, n: number): void {
    const k = `${cause}|${source}`;
    this.#invalidations.set(k, (this.#invalidations.get(k) ?? 0) + n);
  }

  #emitBus(outcome: BusEvent['outcome'], lagMs?: number, reason?: string): void {
    const ev = this.#core.events;
    if (!ev.wants('bus')) return;
    ev.emit({
      type: 'bus',
      cache: this.#core.name,
      transport: this.transport,
      outcome,
      ...(lagMs !== undefined ? { lagMs } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  stats(): InvalidationStats {
    const invalidations: InvalidationStats['invalidations'] = [];
    for (const [k, count] of this.#invalidations) {
      const [cause, source] = k.split('|') as [InvalidationStatCause, InvalidationSource];
      invalidations.push({ cause, source, count });
    }
    return {
      transport: this.transport,
      origin: this.origin,
      invalidations,
      messages: { ...this.#counts },
      queued: this.#queue.length,
      gaps: this.#gaps,
      resets: this.#resets,
      edges: this.graph.edges,
    };
  }

  /** Sends what is queued (best effort, bounded by `timeoutMs`), then closes the bus. */
  async close(timeoutMs = 1_000): Promise<void> {
    if (this.#closed) return;
    if (this.#started && this.#queue.length > 0) {
      await Promise.race([this.#pump(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    }
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#expiry);
    clearTimeout(this.#retryTimer);
    for (const f of this.#fences) f.clear();
    await this.#bus?.close().catch(() => undefined);
  }
}

/** A prefix target is a namespace clear prefix (`app:` / `app:ns:`) or a key prefix (`app::user:`). */
export function l1PrefixForTarget(cache: string, target: string): string | undefined {
  const parsed = parseRemoteKey(cache, target);
  if (parsed !== undefined) return l1KeyOf(parsed);
  return l1PrefixOf(cache, target);
}

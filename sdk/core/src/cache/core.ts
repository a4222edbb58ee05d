import { Codec } from '../codec/codec.js';
import type { StoredRecord } from '../codec/record.js';
import { CacheEvents, type EvictionReason, type TierName } from '../events.js';
import type { PrefetchEngine } from '../prefetch/engine.js';
import type { DistributedLock } from '../resilience/distributed-lock.js';
import type { AccessPolicy } from '../security/access/access-policy.js';
import { CacheSecurity } from '../security/cache-security.js';
import { Encryptor } from '../security/encryption/encryptor.js';
import type { L1Entry } from '../tiers/memory/entry.js';
import { MemoryTier } from '../tiers/memory/memory-tier.js';
import type { ResolvedCacheConfig, ResolvedDefaults } from './config.js';
import type { Flight } from './flight.js';
import { GraceBackoff } from './grace-backoff.js';
import { RemoteTier } from './remote-tier.js';
import { CacheCounters, type CacheStats, L1Counters, type MovementStats } from './stats.js';
import type { CacheTracing } from './tracing.js';
import { KeyVersions } from './versions.js';

export interface LockConfig {
  lock: DistributedLock;
  ttlMs: number;
  pollMs: number;
  enabled: boolean;
}

/**
 * The state every view (root cache and namespaces) of one cache shares: tiers, codec, counters,
 * event channel, in-flight loads and retry backoffs.
 */
export class CacheCore {
  readonly name: string;
  readonly events = new CacheEvents();
  readonly counters = new CacheCounters();
  readonly l1Counters = new L1Counters();
  readonly l1: MemoryTier;
  /** Remote tiers in lookup order (L2 then L3). */
  readonly remotes: RemoteTier[] = [];
  readonly codec: Codec;
  /** Envelope encryption, when configured (its counters feed stats().encryption). */
  readonly encryptor: Encryptor | undefined;
  /** Access policy, when configured: every public cache call is authorized against it. */
  readonly access: AccessPolicy | undefined;
  readonly defaults: ResolvedDefaults;
  readonly maxKeyLength: number;
  readonly maxValueBytes: number;
  readonly lock: LockConfig | undefined;
  readonly demoteOnEvict: boolean;
  /** Loads in progress, by remote key: concurrent callers join them (single-flight). */
  readonly inflight = new Map<string, Flight>();
  /** Per-key generations and the record-version clock (see versions.ts). */
  readonly versions = new KeyVersions();
  /** After a failure answered from grace: no loader call for this key before `until` (bounded, grace-backoff.ts). */
  readonly retryAfter: GraceBackoff;
  /** Audit log, redactor and value policy (security block of the config). */
  readonly security: CacheSecurity;
  closed = false;
  #conditional = false;
  /** Tracing hook (telemetry's instrument() installs it); consulted only off the L1 hit path. */
  tracing: CacheTracing | undefined = undefined;
  /** The prefetch loop (prefetch/engine.ts), when the config has `prefetch`; consulted on every access. */
  prefetch: PrefetchEngine | undefined = undefined;

  constructor(config: ResolvedCacheConfig) {
    this.name = config.name;
    // Frozen: shared with every view and handed out as cache.defaults.
    Object.freeze(config.defaults.timeouts);
    this.defaults = Object.freeze(config.defaults);
    this.maxKeyLength = config.maxKeyLength;
    this.maxValueBytes = config.maxValueBytes;
    this.lock = config.lock;
    this.demoteOnEvict = config.l1.demoteOnEvict;
    this.security = new CacheSecurity(config.security, config.encryption);
    this.retryAfter = new GraceBackoff(config.l1.capacity);
    this.access = config.access;
    this.encryptor =
      config.encryption === undefined ? undefined : new Encryptor(config.name, config.encryption);
    this.codec = new Codec({
      compressThreshold: config.codec.compressThreshold,
      compression: config.codec.compression,
      checksum: config.codec.checksum,
      encryptor: this.encryptor,
      seals: this.security.sealsNamespace(config.encryption),
    });
    this.l1 = new MemoryTier({
      capacity: config.l1.capacity,
      policy: config.l1.policy,
      maxBytes: config.l1.maxBytes,
      counters: this.l1Counters,
      onRemoved: (_key, entry, reason) => this.onL1Removed(entry, reason),
    });
    for (const name of ['l2', 'l3'] as const) {
      const t = config[name];
      if (t === undefined) continue;
      this.remotes.push(
        new RemoteTier(
          name,
          t.tier,
          t.timeoutMs ?? config.defaults.timeouts.tier,
          t.circuitBreaker ?? config.circuitBreaker,
          config.name,
          this.events,
          () => this.tracing,
        ),
      );
    }
    this.#conditional = this.remotes.some((r) => r.conditional);
  }

  /** Whether some remote tier writes conditionally (write-back.ts). */
  get hasConditional(): boolean {
    return this.#conditional;
  }

  /** Whether values need encoding (any remote tier configured). */
  get hasRemotes(): boolean {
    return this.remotes.length > 0;
  }

  countMovement(from: TierName, to: TierName): void {
    const c = this.counters;
    if (from === 'l2' && to === 'l1') c.promoteL2ToL1++;
    else if (from === 'l3' && to === 'l1') c.promoteL3ToL1++;
    else if (from === 'l3' && to === 'l2') c.promoteL3ToL2++;
    else if (from === 'l1' && to === 'l2') c.demoteL1ToL2++;
  }

  private onL1Removed(entry: L1Entry, reason: EvictionReason): void {
    const ev = this.events;
    if (ev.wants('evict'))
      ev.emit({ type: 'evict', cache: this.name, tier: 'l1', key: entry.remoteKey, reason });
    if (reason !== 'capacity' || !this.demoteOnEvict || this.closed) return;
    const l2 = this.remotes[0];
    if (l2 === undefined || l2.name !== 'l2') return;
    const now = Date.now();
    if (now >= entry.staleUntil) return;
    const record: StoredRecord = {
      value: entry.value,
      freshUntil: entry.freshUntil,
      staleUntil: entry.staleUntil,
      ttl: entry.ttl,
      tags: entry.tags,
      version: entry.version,
    };
    let encoded: Uint8Array | Promise<Uint8Array>;
    try {
      encoded = this.codec.encode(record, entry.remoteKey);
    } catch {
      return;
    }
    const ttlMs = entry.staleUntil - now;
    const tags = entry.qualifiedTags;
    const version = entry.version;
    // On a conditional tier only into an empty key: a tombstone (a delete this instance has not heard of yet) or
    // a newer value there is kept (see write-back.ts).
    const write = (bytes: Uint8Array) => {
      const w = { key: entry.remoteKey, value: bytes, ttlMs, version, ...(tags !== undefined && { tags }) };
      return l2.call(
        'set',
        (t) => (l2.conditional ? t.setIfUnchanged!(w, '') : t.set(w.key, bytes, w).then(() => true)),
        false,
      );
    };
    let written: Promise<unknown>;
    if (!(encoded instanceof Promise)) {
      // Issued synchronously while the entry is still L1's latest value, so the tier orders it before any later
      // write or delete of the key.
      written = write(encoded);
    } else {
      // With encryption a data key may have to be fetched first: the demotion lands only if nothing wrote,
      // deleted or invalidated the key meanwhile (a failure to seal is counted by the encryptor).
      const ticket = this.versions.begin(entry.remoteKey);
      written = encoded.then(
        (bytes) => {
          const current = this.versions.current(ticket, tags);
          this.versions.end(ticket);
          return current ? write(bytes) : false;
        },
        () => {
          this.versions.end(ticket);
          return false;
        },
      );
    }
    void written.then((ok) => {
      if (ok === false) return;
      l2.counters.sets++;
      this.countMovement('l1', 'l2');
      if (ev.wants('demote'))
        ev.emit({ type: 'demote', cache: this.name, from: 'l1', to: 'l2', key: entry.remoteKey });
    });
  }

  stats(): CacheStats {
    const c = this.counters;
    const l = this.l1Counters;
    const movements: MovementStats[] = [
      { from: 'l2', to: 'l1', kind: 'promotion', count: c.promoteL2ToL1 },
      { from: 'l3', to: 'l1', kind: 'promotion', count: c.promoteL3ToL1 },
      { from: 'l3', to: 'l2', kind: 'promotion', count: c.promoteL3ToL2 },
      { from: 'l1', to: 'l2', kind: 'demotion', count: c.demoteL1ToL2 },
    ];
    const stale = c.staleSwr + c.staleGrace + c.staleSoftTimeout + c.staleBackoff + c.staleAllowed;
    const stats: CacheStats = {
      cache: this.name,
      requests: { hits: c.hits, misses: c.misses, errors: c.errors, stale },
      stale: {
        swr: c.staleSwr,
        grace: c.staleGrace,
        softTimeout: c.staleSoftTimeout,
        backoff: c.staleBackoff,
        allowStale: c.staleAllowed,
      },
      loader: {
        calls: c.loaderCalls,
        success: c.loaderSuccess,
        error: c.loaderError,
        timeout: c.loaderTimeout,
        coalesced: c.coalesced,
        backgroundRefreshes: c.backgroundRefreshes,
        writeBacksRefused: c.writeBacksRefused,
      },
      lock: { acquired: c.lockAcquired, waited: c.lockWaited, expired: c.lockExpired, errors: c.lockErrors },
      movements,
      inFlight: this.inflight.size,
      tiers: {
        l1: {
          tier: 'l1',
          hits: l.hits,
          misses: l.misses,
          staleHits: l.staleHits,
          sets: l.sets,
          deletes: l.deletes,
          evictions: { capacity: l.evictCapacity, expired: l.evictExpired, invalidated: l.evictInvalidated },
          oversize: l.oversize,
          entries: this.l1.size,
          bytes: this.l1.bytes,
          maxBytes: this.l1.maxBytes,
          capacity: this.l1.policy.capacity,
          policy: {
            ...this.l1.policy.snapshot(),
            name: this.l1.policy.name,
          } as CacheStats['tiers']['l1']['policy'],
        },
      },
    };
    for (const r of this.remotes) stats.tiers[r.name] = r.stats();
    if (this.encryptor !== undefined) stats.encryption = this.encryptor.stats();
    if (this.access !== undefined) stats.access = { denied: c.accessDenied };
    if (this.prefetch !== undefined) stats.prefetch = this.prefetch.stats();
    return stats;
  }
}

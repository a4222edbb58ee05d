/**
 * The one mapping from a cache's plain counters (`cache.stats()`) to the convention metrics and attributes.
 * Used at collection time by the OpenTelemetry instrumentation and by the prom-client bridge, so both expose
 * exactly the same series.
 */
import type { CacheStats, RemoteTierStats } from '../cache/stats.js';
import type { CircuitState as CacheCircuitState } from '../events.js';
import { ENCRYPTION_FAILURE_REASONS } from '../security/encryption/errors.js';
import type { EncryptionStats } from '../security/encryption/stats.js';
import {
  ATTR,
  BUS_OUTCOME_VALUES,
  CIRCUIT_STATE_VALUES,
  type CircuitState,
  METRICS,
  type MetricConvention,
  PREFETCH_DROP_REASON_VALUES,
  PREFETCH_SAMPLE_OUTCOME_VALUES,
} from './conventions.js';

export type Reading = (metric: MetricConvention, value: number, attributes: Record<string, string>) => void;

const CIRCUIT_STATE: Readonly<Record<CacheCircuitState, CircuitState>> = {
  closed: 'closed',
  open: 'open',
  'half-open': 'half_open',
};

/** Metrics readStats() reports (every convention metric except the histograms). */
export const OBSERVED_METRICS: readonly MetricConvention[] = [
  METRICS.requests,
  METRICS.loaderCalls,
  METRICS.singleflightCoalesced,
  METRICS.writeBacksRefused,
  METRICS.evictions,
  METRICS.tierEntries,
  METRICS.tierSize,
  METRICS.tierMovements,
  METRICS.arcCapacity,
  METRICS.arcTarget,
  METRICS.arcListSize,
  METRICS.arcGhostHits,
  METRICS.circuitState,
  METRICS.staleServed,
  METRICS.codecFailures,
  METRICS.codecChecksumFailures,
  METRICS.encryptionOperations,
  METRICS.encryptionFailures,
  METRICS.encryptionDekCache,
  METRICS.encryptionDataKeys,
  METRICS.encryptionKeyAge,
  METRICS.accessDenials,
  METRICS.invalidations,
  METRICS.busMessages,
  METRICS.busQueued,
  METRICS.busGaps,
  METRICS.prefetchHints,
  METRICS.prefetchIssued,
  METRICS.prefetchResults,
  METRICS.prefetchDropped,
  METRICS.prefetchSamples,
  METRICS.prefetchOutstanding,
  METRICS.prefetchRateFactor,
];

function readRemote(cache: string, t: RemoteTierStats, read: Reading): void {
  const req = (result: string) => ({ [ATTR.cache]: cache, [ATTR.tier]: t.tier, [ATTR.result]: result });
  read(METRICS.requests, t.hits, req('hit'));
  read(METRICS.requests, t.misses, req('miss'));
  read(METRICS.requests, t.staleHits, req('stale'));
  read(METRICS.requests, t.errors + t.timeouts, req('error'));
  read(METRICS.codecFailures, t.decodeErrors, {
    [ATTR.cache]: cache,
    [ATTR.tier]: t.tier,
    [ATTR.codecOperation]: 'decode',
  });
  read(METRICS.codecChecksumFailures, t.checksumFailures, { [ATTR.cache]: cache, [ATTR.tier]: t.tier });
  if (t.usage !== undefined) {
    read(METRICS.tierEntries, t.usage.entries, { [ATTR.cache]: cache, [ATTR.tier]: t.tier });
    read(METRICS.tierSize, t.usage.bytes, { [ATTR.cache]: cache, [ATTR.tier]: t.tier });
  }
  const current = CIRCUIT_STATE[t.circuit.state];
  for (const state of CIRCUIT_STATE_VALUES) {
    read(METRICS.circuitState, state === current ? 1 : 0, {
      [ATTR.cache]: cache,
      [ATTR.tier]: t.tier,
      [ATTR.circuitState]: state,
    });
  }
}

function readEncryption(cache: string, e: EncryptionStats, read: Reading): void {
  const op = (o: string) => ({ [ATTR.cache]: cache, [ATTR.encryptionOperation]: o });
  read(METRICS.encryptionOperations, e.encryptions, op('encrypt'));
  read(METRICS.encryptionOperations, e.decryptions, op('decrypt'));
  for (const o of ['encrypt', 'decrypt'] as const) {
    for (const reason of ENCRYPTION_FAILURE_REASONS) {
      read(METRICS.encryptionFailures, e.failures[o][reason], {
        ...op(o),
        [ATTR.encryptionFailureReason]: reason.replaceAll('-', '_'),
      });
    }
  }
  read(METRICS.encryptionDekCache, e.dekCache.hits, { [ATTR.cache]: cache, [ATTR.result]: 'hit' });
  read(METRICS.encryptionDekCache, e.dekCache.misses, { [ATTR.cache]: cache, [ATTR.result]: 'miss' });
  read(METRICS.encryptionDataKeys, e.dataKeysGenerated, { [ATTR.cache]: cache });
  for (const [keyId, ms] of Object.entries(e.keyAgesMs)) {
    read(METRICS.encryptionKeyAge, Math.floor(ms / 1000), {
      [ATTR.cache]: cache,
      [ATTR.encryptionKeyId]: keyId,
    });
  }
}

/** Calls `read` once per series of the stats snapshot. */
export function readStats(s: CacheStats, read: Reading): void {
  const cache = s.cache;
  const base = { [ATTR.cache]: cache };
  const l1 = s.tiers.l1;
  const l1req = (result: string) => ({ [ATTR.cache]: cache, [ATTR.tier]: 'l1', [ATTR.result]: result });
  read(METRICS.requests, l1.hits, l1req('hit'));
  read(METRICS.requests, l1.misses, l1req('miss'));
  read(METRICS.requests, l1.staleHits, l1req('stale'));
  if (s.tiers.l2) readRemote(cache, s.tiers.l2, read);
  if (s.tiers.l3) readRemote(cache, s.tiers.l3, read);

  const outcome = (o: string) => ({ [ATTR.cache]: cache, [ATTR.outcome]: o });
  read(METRICS.loaderCalls, s.loader.success, outcome('success'));
  read(METRICS.loaderCalls, s.loader.error, outcome('error'));
  read(METRICS.loaderCalls, s.loader.timeout, outcome('timeout'));
  read(METRICS.singleflightCoalesced, s.loader.coalesced, base);
  read(METRICS.writeBacksRefused, s.loader.writeBacksRefused, base);

  const evict = (reason: string) => ({
    [ATTR.cache]: cache,
    [ATTR.tier]: 'l1',
    [ATTR.evictionReason]: reason,
  });
  read(METRICS.evictions, l1.evictions.capacity, evict('capacity'));
  read(METRICS.evictions, l1.evictions.expired, evict('expired'));
  read(METRICS.evictions, l1.evictions.invalidated, evict('invalidated'));
  read(METRICS.tierEntries, l1.entries, { [ATTR.cache]: cache, [ATTR.tier]: 'l1' });
  read(METRICS.tierSize, l1.bytes, { [ATTR.cache]: cache, [ATTR.tier]: 'l1' });
  for (const m of s.movements) {
    read(METRICS.tierMovements, m.count, {
      [ATTR.cache]: cache,
      [ATTR.movementFrom]: m.from,
      [ATTR.movementTo]: m.to,
    });
  }

  const stale = (reason: string) => ({ [ATTR.cache]: cache, [ATTR.staleReason]: reason });
  read(METRICS.staleServed, s.stale.swr, stale('revalidate'));
  read(METRICS.staleServed, s.stale.grace, stale('grace'));
  read(METRICS.staleServed, s.stale.softTimeout, stale('soft_timeout'));
  read(METRICS.staleServed, s.stale.backoff, stale('backoff'));
  read(METRICS.staleServed, s.stale.allowStale, stale('allow_stale'));

  if (s.encryption !== undefined) readEncryption(cache, s.encryption, read);
  if (s.access !== undefined) read(METRICS.accessDenials, s.access.denied, base);
  const inv = s.invalidation;
  if (inv !== undefined) {
    for (const i of inv.invalidations) {
      read(METRICS.invalidations, i.count, {
        [ATTR.cache]: cache,
        [ATTR.invalidationCause]: i.cause,
        [ATTR.invalidationSource]: i.source,
      });
    }
    const bus = { [ATTR.cache]: cache, [ATTR.busTransport]: inv.transport };
    for (const outcome of BUS_OUTCOME_VALUES) {
      read(METRICS.busMessages, inv.messages[outcome], { ...bus, [ATTR.busOutcome]: outcome });
    }
    read(METRICS.busQueued, inv.queued, bus);
    read(METRICS.busGaps, inv.gaps, bus);
  }

  const pf = s.prefetch;
  if (pf !== undefined) {
    read(METRICS.prefetchHints, pf.hints, base);
    read(METRICS.prefetchIssued, pf.issued, base);
    read(METRICS.prefetchResults, pf.used, { ...base, [ATTR.prefetchResult]: 'used' });
    read(METRICS.prefetchResults, pf.wasted, { ...base, [ATTR.prefetchResult]: 'wasted' });
    for (const reason of PREFETCH_DROP_REASON_VALUES) {
      read(METRICS.prefetchDropped, pf.dropped[reason], { ...base, [ATTR.prefetchDropReason]: reason });
    }
    for (const outcome of PREFETCH_SAMPLE_OUTCOME_VALUES) {
      read(METRICS.prefetchSamples, pf.samples[outcome], { ...base, [ATTR.prefetchSampleOutcome]: outcome });
    }
    read(METRICS.prefetchOutstanding, pf.outstanding, base);
    read(METRICS.prefetchRateFactor, pf.rateFactor, base);
  }

  const p = l1.policy;
  if (p.name === 'arc' && 'p' in p) {
    const list = (l: string) => ({ [ATTR.cache]: cache, [ATTR.arcList]: l });
    read(METRICS.arcCapacity, p.capacity, base);
    read(METRICS.arcTarget, p.p, base);
    read(METRICS.arcListSize, p.t1, list('t1'));
    read(METRICS.arcListSize, p.t2, list('t2'));
    read(METRICS.arcListSize, p.b1, list('b1'));
    read(METRICS.arcListSize, p.b2, list('b2'));
    read(METRICS.arcGhostHits, p.ghostHitsB1, list('b1'));
    read(METRICS.arcGhostHits, p.ghostHitsB2, list('b2'));
  }
}

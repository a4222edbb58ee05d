/**
 * THE telemetry names of OmniCache: every metric (name, instrument, unit, description, attributes),
 * every attribute key with its allowed values, and every span name. Nothing else in the repository
 * spells a metric name by hand: the instrumentation, the prom-client bridge, docs/metrics.md (generated),
 * the collector config, alert/recording rules, dashboards, the anomaly service and the Grafana panel all
 * derive their names from here.
 *
 * Browser-safe on purpose (the Grafana panel plugin imports it): no Node imports, no dependencies.
 *
 * Naming follows OpenTelemetry (dot-separated, `omnicache.` namespace, units in `unit`, not in the name).
 * The Prometheus form follows the standard OTLP -> Prometheus translation (`UnderscoreEscapingWithSuffixes`,
 * the default of the collector's `prometheus` and `prometheus_remote_write` exporters): see `toPrometheusName`.
 *
 * Rule: a cache key is never a metric attribute. Spans carry a key only as a keyed HMAC, and only when the
 * user opts in (`omnicache.key.hmac`).
 */

/** Instrumentation scope (meter and tracer name) of everything OmniCache records. */
export const INSTRUMENTATION_SCOPE = 'omnicache';

/** Attribute keys. */
export const ATTR = {
  cache: 'omnicache.cache.name',
  tier: 'omnicache.tier',
  result: 'omnicache.result',
  outcome: 'omnicache.outcome',
  operation: 'omnicache.operation',
  evictionReason: 'omnicache.eviction.reason',
  movementFrom: 'omnicache.movement.from',
  movementTo: 'omnicache.movement.to',
  arcList: 'omnicache.arc.list',
  circuitState: 'omnicache.circuit.state',
  staleReason: 'omnicache.stale.reason',
  codecOperation: 'omnicache.codec.operation',
  encryptionOperation: 'omnicache.encryption.operation',
  encryptionFailureReason: 'omnicache.encryption.failure.reason',
  encryptionKeyId: 'omnicache.encryption.kek.id',
  httpResult: 'omnicache.http.result',
  httpRoute: 'http.route',
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  invalidationCause: 'omnicache.invalidation.cause',
  invalidationSource: 'omnicache.invalidation.source',
  busTransport: 'omnicache.bus.transport',
  busOutcome: 'omnicache.bus.outcome',
  prefetchResult: 'omnicache.prefetch.result',
  prefetchDropReason: 'omnicache.prefetch.drop_reason',
  prefetchSampleOutcome: 'omnicache.prefetch.sample_outcome',
  // span-only attributes
  namespace: 'omnicache.namespace',
  tierKind: 'omnicache.tier.kind',
  keyHmac: 'omnicache.key.hmac',
  coalesced: 'omnicache.singleflight.coalesced',
  errorType: 'error.type',
} as const;

export type AttributeName = keyof typeof ATTR;
export type AttributeKey = (typeof ATTR)[AttributeName];

/** Allowed values of the enumerated attributes. */
export const TIER_VALUES = ['l1', 'l2', 'l3'] as const;
export const REMOTE_TIER_VALUES = ['l2', 'l3'] as const;
export const RESULT_VALUES = ['hit', 'miss', 'stale', 'error'] as const;
export const OUTCOME_VALUES = ['success', 'error', 'timeout'] as const;
export const TIER_OPERATION_VALUES = [
  'get',
  'get_many',
  'set',
  'set_many',
  'delete',
  'delete_many',
  'delete_by_tag',
  'clear',
] as const;
export const EVICTION_REASON_VALUES = ['capacity', 'expired', 'invalidated'] as const;
export const ARC_LIST_VALUES = ['t1', 't2', 'b1', 'b2'] as const;
export const ARC_GHOST_LIST_VALUES = ['b1', 'b2'] as const;
export const CIRCUIT_STATE_VALUES = ['closed', 'open', 'half_open'] as const;
export const STALE_REASON_VALUES = ['revalidate', 'grace', 'soft_timeout', 'backoff', 'allow_stale'] as const;
export const CODEC_OPERATION_VALUES = ['encode', 'decode'] as const;
export const HTTP_RESULT_VALUES = ['hit', 'stale', 'miss', 'coalesced', 'bypass', 'uncacheable'] as const;
export const TIER_KIND_VALUES = ['memory', 'redis', 'redis-cluster', 'gcs', 'fs'] as const;
export const ENCRYPTION_OPERATION_VALUES = ['encrypt', 'decrypt'] as const;
export const ENCRYPTION_FAILURE_REASON_VALUES = [
  'malformed',
  'unencrypted',
  'unknown_key',
  'commitment',
  'tampered',
  'kms_refused',
  'kms_unavailable',
] as const;
export const DEK_CACHE_RESULT_VALUES = ['hit', 'miss'] as const;
export const INVALIDATION_CAUSE_VALUES = [
  'invalidate',
  'delete',
  'tag',
  'clear',
  'set',
  'dependency',
  'erasure',
  'gap',
] as const;
export const INVALIDATION_SOURCE_VALUES = ['local', 'bus', 'webhook'] as const;
export const BUS_TRANSPORT_VALUES = ['redis', 'redis-cluster', 'kafka', 'none'] as const;
export const BUS_OUTCOME_VALUES = [
  'published',
  'received',
  'duplicate',
  'rejected',
  'dropped',
  'failed',
] as const;
/** What became of a prefetched entry: read by a later request (used), or gone / unread in time (wasted). */
export const PREFETCH_RESULT_VALUES = ['used', 'wasted'] as const;
export const PREFETCH_DROP_REASON_VALUES = [
  'rate_limit',
  'backoff',
  'low_confidence',
  'deadline',
  'unknown_key',
  'present',
  'no_loader',
  'no_room',
  'overtaken',
  'uncacheable',
  'error',
] as const;
export const PREFETCH_SAMPLE_OUTCOME_VALUES = ['published', 'rate_limited', 'failed'] as const;

export type TierLevel = (typeof TIER_VALUES)[number];
export type RemoteTierLevel = (typeof REMOTE_TIER_VALUES)[number];
export type RequestResult = (typeof RESULT_VALUES)[number];
export type Outcome = (typeof OUTCOME_VALUES)[number];
export type TierOperation = (typeof TIER_OPERATION_VALUES)[number];
export type EvictionReason = (typeof EVICTION_REASON_VALUES)[number];
export type ArcList = (typeof ARC_LIST_VALUES)[number];
export type ArcGhostList = (typeof ARC_GHOST_LIST_VALUES)[number];
export type CircuitState = (typeof CIRCUIT_STATE_VALUES)[number];
export type StaleReason = (typeof STALE_REASON_VALUES)[number];
export type CodecOperation = (typeof CODEC_OPERATION_VALUES)[number];
export type TierKind = (typeof TIER_KIND_VALUES)[number];
export type EncryptionOperation = (typeof ENCRYPTION_OPERATION_VALUES)[number];
export type EncryptionFailureReasonValue = (typeof ENCRYPTION_FAILURE_REASON_VALUES)[number];
export type HttpResult = (typeof HTTP_RESULT_VALUES)[number];
export type InvalidationCauseValue = (typeof INVALIDATION_CAUSE_VALUES)[number];
export type InvalidationSourceValue = (typeof INVALIDATION_SOURCE_VALUES)[number];
export type BusOutcome = (typeof BUS_OUTCOME_VALUES)[number];

export interface AttributeConvention {
  readonly key: AttributeKey;
  readonly description: string;
  /** Enumerated values; absent for free-form attributes (cache name, namespace, HMAC). */
  readonly values?: readonly string[];
  /** `metric`: may appear on metrics (and spans); `span`: spans only (too high cardinality or sensitive). */
  readonly scope: 'metric' | 'span';
}

export const ATTRIBUTES: Readonly<Record<AttributeName, AttributeConvention>> = {
  cache: {
    key: ATTR.cache,
    scope: 'metric',
    description: 'Name of the cache, as given to createCache({ name }).',
  },
  tier: {
    key: ATTR.tier,
    scope: 'metric',
    values: TIER_VALUES,
    description: 'Tier level: l1 (in-process memory), l2 (Redis), l3 (object storage or local directory).',
  },
  result: {
    key: ATTR.result,
    scope: 'metric',
    values: RESULT_VALUES,
    description:
      'Result of a lookup in one tier: hit (fresh value), miss, stale (expired value inside the stale/grace window), error (the tier failed).',
  },
  outcome: {
    key: ATTR.outcome,
    scope: 'metric',
    values: OUTCOME_VALUES,
    description: 'Outcome of a loader call or a remote tier operation.',
  },
  operation: {
    key: ATTR.operation,
    scope: 'metric',
    values: TIER_OPERATION_VALUES,
    description: 'Remote tier operation.',
  },
  evictionReason: {
    key: ATTR.evictionReason,
    scope: 'metric',
    values: EVICTION_REASON_VALUES,
    description:
      'Why an entry left a tier: capacity (the replacement policy pushed it out), expired (TTL), invalidated (delete, tag, dependency or bus invalidation).',
  },
  movementFrom: {
    key: ATTR.movementFrom,
    scope: 'metric',
    values: TIER_VALUES,
    description: 'Tier an entry moved from (promotion: the lower tier that hit; demotion: l1).',
  },
  movementTo: {
    key: ATTR.movementTo,
    scope: 'metric',
    values: TIER_VALUES,
    description: 'Tier an entry moved to.',
  },
  arcList: {
    key: ATTR.arcList,
    scope: 'metric',
    values: ARC_LIST_VALUES,
    description: 'ARC list: t1 (recency), t2 (frequency), b1 and b2 (their ghost lists of evicted keys).',
  },
  circuitState: {
    key: ATTR.circuitState,
    scope: 'metric',
    values: CIRCUIT_STATE_VALUES,
    description: 'Circuit-breaker state of a remote tier.',
  },
  staleReason: {
    key: ATTR.staleReason,
    scope: 'metric',
    values: STALE_REASON_VALUES,
    description:
      'Why a stale value was served: revalidate (stale-while-revalidate, refresh in background), grace (the loader failed or timed out), soft_timeout (the loader passed its soft timeout), backoff (waiting before retrying a failed loader), allow_stale (get with allowStale found only a stale value).',
  },
  codecOperation: {
    key: ATTR.codecOperation,
    scope: 'metric',
    values: CODEC_OPERATION_VALUES,
    description:
      'Codec direction that failed: encode (value -> bytes) or decode (bytes found in a tier -> value).',
  },
  encryptionOperation: {
    key: ATTR.encryptionOperation,
    scope: 'metric',
    values: ENCRYPTION_OPERATION_VALUES,
    description:
      'Envelope encryption direction: encrypt (a value sealed for a remote tier) or decrypt (a value read back).',
  },
  encryptionFailureReason: {
    key: ATTR.encryptionFailureReason,
    scope: 'metric',
    values: ENCRYPTION_FAILURE_REASON_VALUES,
    description:
      'Why encryption failed: malformed (damaged or foreign bytes), unencrypted (plaintext where encryption is required), unknown_key (key id not in the ring), commitment (key commitment mismatch), tampered (authentication failed: altered, or copied to another key/namespace/cache), kms_refused, kms_unavailable (key provider unreachable and no cached data key).',
  },
  encryptionKeyId: {
    key: ATTR.encryptionKeyId,
    scope: 'metric',
    description:
      'Id of a key-encryption key in the ring (local key id or KMS key id/ARN; never key material). Bounded by the ring size.',
  },
  httpResult: {
    key: ATTR.httpResult,
    scope: 'metric',
    values: HTTP_RESULT_VALUES,
    description:
      'How the HTTP integrations answered a request on a cached route: hit (fresh from the cache), stale (from the stale-while-revalidate or grace window), miss (this request ran the handler and stored its response), coalesced (waited for another request running the handler), bypass (not a cacheable request: not a GET, or Cache-Control: no-store), uncacheable (the handler ran and its response may not be stored: status, Set-Cookie, no-store, private, Vary, size, streamed).',
  },
  httpRoute: {
    key: ATTR.httpRoute,
    scope: 'metric',
    description:
      'OpenTelemetry semantic convention: the route template (`/users/:id`), never the URL. `_other` past 1000 series.',
  },
  httpMethod: {
    key: ATTR.httpMethod,
    scope: 'metric',
    description:
      'OpenTelemetry semantic convention: HTTP request method (`_OTHER` for non-standard methods).',
  },
  httpStatus: {
    key: ATTR.httpStatus,
    scope: 'metric',
    description: 'OpenTelemetry semantic convention: HTTP response status code (304 for a conditional hit).',
  },
  invalidationCause: {
    key: ATTR.invalidationCause,
    scope: 'metric',
    values: INVALIDATION_CAUSE_VALUES,
    description:
      'Why entries were invalidated: invalidate() call, delete/deleteMany, deleteByTag, clear, a set() on another instance, a dependency cascade, or a gap (lost bus messages or a re-established subscription: l1 cleared).',
  },
  invalidationSource: {
    key: ATTR.invalidationSource,
    scope: 'metric',
    values: INVALIDATION_SOURCE_VALUES,
    description:
      'Where an invalidation entered this instance: a call here (local), a message from another instance (bus), or a signed webhook (webhook).',
  },
  busTransport: {
    key: ATTR.busTransport,
    scope: 'metric',
    values: BUS_TRANSPORT_VALUES,
    description: 'Transport of the invalidation bus.',
  },
  busOutcome: {
    key: ATTR.busOutcome,
    scope: 'metric',
    values: BUS_OUTCOME_VALUES,
    description:
      'What happened to a bus message: published (handed to the transport), received (applied from another instance), duplicate (seen before, not applied again), rejected (malformed, oversized or another group), dropped (publish queue full while the bus was down), failed (a publish attempt failed and was queued for retry).',
  },
  prefetchResult: {
    key: ATTR.prefetchResult,
    scope: 'metric',
    values: PREFETCH_RESULT_VALUES,
    description:
      'What became of a prefetched l1 entry: used (a later request read it), wasted (evicted, expired, overwritten or invalidated first, or unread within usedWithinMs).',
  },
  prefetchDropReason: {
    key: ATTR.prefetchDropReason,
    scope: 'metric',
    values: PREFETCH_DROP_REASON_VALUES,
    description:
      'Why a prefetch hint was not acted on: rate_limit (rate or concurrency cap), backoff (its loader pattern is over the waste budget: below the raised confidence bar or over the reduced rate), low_confidence, deadline (passed before it could land), unknown_key (hash not in the recent-keys dictionary), present (already in l1 or loading), no_loader (no registered loader and no remote tier had it), no_room (outstanding prefetches at their cap, or l1 full with nothing but its frequency set), overtaken (the key was written, deleted or invalidated during the load), uncacheable (the registered loader answered ctx.skipCache(value)), error (the load failed or timed out).',
  },
  prefetchSampleOutcome: {
    key: ATTR.prefetchSampleOutcome,
    scope: 'metric',
    values: PREFETCH_SAMPLE_OUTCOME_VALUES,
    description:
      'What became of a sampled access: published on the access stream, rate_limited (over sample.maxPerSecond, or the stream backed up), failed (the transport refused the batch).',
  },
  namespace: {
    key: ATTR.namespace,
    scope: 'span',
    description: 'Cache namespace of the operation (spans only).',
  },
  tierKind: {
    key: ATTR.tierKind,
    scope: 'span',
    values: TIER_KIND_VALUES,
    description: 'Implementation behind a tier (spans only).',
  },
  keyHmac: {
    key: ATTR.keyHmac,
    scope: 'span',
    description:
      'Keyed HMAC-SHA-256 of the cache key, hex. Only when the user opts in with an HMAC secret; the plain key is never recorded.',
  },
  coalesced: {
    key: ATTR.coalesced,
    scope: 'span',
    description: 'true when this getOrSet joined a load already in flight for the same key (single-flight).',
  },
  errorType: {
    key: ATTR.errorType,
    scope: 'span',
    description: 'OpenTelemetry semantic convention: class or code of the error that ended the operation.',
  },
};

/**
 * OpenTelemetry instrument behind a metric. Observable instruments are read at collection time from the
 * plain counters the cache keeps (no OpenTelemetry call on the hot path); histograms are recorded from
 * the event channel, never on an L1 hit.
 */
export type InstrumentKind = 'ObservableCounter' | 'ObservableGauge' | 'Histogram';

export interface MetricConvention {
  readonly name: string;
  readonly instrument: InstrumentKind;
  /** UCUM unit as OpenTelemetry spells it: `s`, `By`, or an annotation such as `{request}`. */
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly AttributeKey[];
  /** Narrower value sets than the attribute's own, for this metric. */
  readonly values?: Readonly<Partial<Record<AttributeKey, readonly string[]>>>;
  /** Explicit histogram bucket boundaries (seconds), advised to the SDK. */
  readonly buckets?: readonly number[];
}

/** Histogram boundaries for remote tier and loader latency, in seconds. SLO thresholds must be one of these. */
export const DURATION_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export const METRICS = {
  requests: {
    name: 'omnicache.requests',
    instrument: 'ObservableCounter',
    unit: '{request}',
    description:
      'Lookups per tier by result. Every read consults l1; a miss (or stale) there continues to l2, then l3. Cache-level hit ratio = hits in any tier / l1 lookups.',
    attributes: [ATTR.cache, ATTR.tier, ATTR.result],
  },
  tierOperationDuration: {
    name: 'omnicache.tier.operation.duration',
    instrument: 'Histogram',
    unit: 's',
    description:
      'Duration of remote tier operations (l2, l3), by operation and outcome. Its count by outcome gives the remote-tier error ratio.',
    attributes: [ATTR.cache, ATTR.tier, ATTR.operation, ATTR.outcome],
    values: { [ATTR.tier]: REMOTE_TIER_VALUES },
    buckets: DURATION_BUCKETS_SECONDS,
  },
  loaderDuration: {
    name: 'omnicache.loader.duration',
    instrument: 'Histogram',
    unit: 's',
    description: 'Duration of loader calls (getOrSet / wrap on a miss), by outcome.',
    attributes: [ATTR.cache, ATTR.outcome],
    buckets: DURATION_BUCKETS_SECONDS,
  },
  loaderCalls: {
    name: 'omnicache.loader.calls',
    instrument: 'ObservableCounter',
    unit: '{call}',
    description: 'Loader calls by outcome (a coalesced request does not call the loader).',
    attributes: [ATTR.cache, ATTR.outcome],
  },
  singleflightCoalesced: {
    name: 'omnicache.singleflight.coalesced',
    instrument: 'ObservableCounter',
    unit: '{request}',
    description:
      'getOrSet calls that joined a load already in flight for the same key instead of calling the loader.',
    attributes: [ATTR.cache],
  },
  evictions: {
    name: 'omnicache.evictions',
    instrument: 'ObservableCounter',
    unit: '{entry}',
    description: 'Entries removed from a tier, by reason.',
    attributes: [ATTR.cache, ATTR.tier, ATTR.evictionReason],
  },
  tierEntries: {
    name: 'omnicache.tier.entries',
    instrument: 'ObservableGauge',
    unit: '{entry}',
    description: 'Entries currently held by a tier (tiers that cannot count cheaply report nothing).',
    attributes: [ATTR.cache, ATTR.tier],
  },
  tierSize: {
    name: 'omnicache.tier.size',
    instrument: 'ObservableGauge',
    unit: 'By',
    description:
      'Bytes currently held by a tier (l1: estimated value bytes; l3 fs: file bytes; tiers that cannot count cheaply report nothing).',
    attributes: [ATTR.cache, ATTR.tier],
  },
  tierMovements: {
    name: 'omnicache.tier.movements',
    instrument: 'ObservableCounter',
    unit: '{entry}',
    description:
      'Entries copied between tiers: promotions (a lower-tier hit fills upper tiers) and demotions (l1 evictions written down).',
    attributes: [ATTR.cache, ATTR.movementFrom, ATTR.movementTo],
  },
  arcCapacity: {
    name: 'omnicache.arc.capacity',
    instrument: 'ObservableGauge',
    unit: '{entry}',
    description: 'ARC cache size c: the number of resident entries l1 holds at most.',
    attributes: [ATTR.cache],
  },
  arcTarget: {
    name: 'omnicache.arc.target',
    instrument: 'ObservableGauge',
    unit: '{entry}',
    description:
      'ARC adaptation target p (0..c, real-valued): the share of c ARC currently gives to recency (T1).',
    attributes: [ATTR.cache],
  },
  arcListSize: {
    name: 'omnicache.arc.list.size',
    instrument: 'ObservableGauge',
    unit: '{entry}',
    description: 'ARC list sizes |T1|, |T2| (resident) and |B1|, |B2| (ghost keys).',
    attributes: [ATTR.cache, ATTR.arcList],
  },
  arcGhostHits: {
    name: 'omnicache.arc.ghost_hits',
    instrument: 'ObservableCounter',
    unit: '{hit}',
    description:
      'Requests for a key found in a ghost list: b1 grows p (recency), b2 shrinks it (frequency). Many ghost hits mean the working set is larger than c.',
    attributes: [ATTR.cache, ATTR.arcList],
    values: { [ATTR.arcList]: ARC_GHOST_LIST_VALUES },
  },
  circuitState: {
    name: 'omnicache.circuit.status',
    instrument: 'ObservableGauge',
    unit: '{state}',
    description:
      'Circuit-breaker state of each remote tier as a state set: 1 for the current state, 0 for the others.',
    attributes: [ATTR.cache, ATTR.tier, ATTR.circuitState],
    values: { [ATTR.tier]: REMOTE_TIER_VALUES },
  },
  staleServed: {
    name: 'omnicache.stale.served',
    instrument: 'ObservableCounter',
    unit: '{request}',
    description:
      'Requests answered with a stale value, by reason (stale-while-revalidate, grace after a loader failure, soft timeout, retry backoff, get with allowStale).',
    attributes: [ATTR.cache, ATTR.staleReason],
  },
  codecFailures: {
    name: 'omnicache.codec.failures',
    instrument: 'ObservableCounter',
    unit: '{failure}',
    description:
      'Values the codec could not encode, or bytes found in a tier it could not decode (treated as a miss).',
    attributes: [ATTR.cache, ATTR.tier, ATTR.codecOperation],
  },
  codecChecksumFailures: {
    name: 'omnicache.codec.checksum_failures',
    instrument: 'ObservableCounter',
    unit: '{failure}',
    description:
      'Unencrypted records found in a tier whose CRC-32 did not match (damaged in the tier or on the way); each is a miss and is removed. Also counted in omnicache.codec.failures.',
    attributes: [ATTR.cache, ATTR.tier],
  },
  encryptionOperations: {
    name: 'omnicache.encryption.operations',
    instrument: 'ObservableCounter',
    unit: '{value}',
    description:
      'Values sealed (encrypt) for the remote tiers and opened (decrypt) when read back, with AES-256-GCM envelope encryption.',
    attributes: [ATTR.cache, ATTR.encryptionOperation],
  },
  encryptionFailures: {
    name: 'omnicache.encryption.failures',
    instrument: 'ObservableCounter',
    unit: '{failure}',
    description:
      'Values that could not be sealed or opened, by reason. A failed read is a miss (the entry is removed unless the key provider was only unreachable); a failed seal keeps the value in l1 only.',
    attributes: [ATTR.cache, ATTR.encryptionOperation, ATTR.encryptionFailureReason],
  },
  encryptionDekCache: {
    name: 'omnicache.encryption.dek_cache.lookups',
    instrument: 'ObservableCounter',
    unit: '{lookup}',
    description:
      'Lookups of unwrapped data keys in memory when opening a value: a miss calls the key provider (KMS).',
    attributes: [ATTR.cache, ATTR.result],
    values: { [ATTR.result]: DEK_CACHE_RESULT_VALUES },
  },
  encryptionDataKeys: {
    name: 'omnicache.encryption.data_keys.generated',
    instrument: 'ObservableCounter',
    unit: '{key}',
    description:
      'Data keys generated for writing (one per namespace, replaced by age, by encryption count, or when the ring gets a newer key).',
    attributes: [ATTR.cache],
  },
  encryptionKeyAge: {
    name: 'omnicache.encryption.kek.age',
    instrument: 'ObservableGauge',
    unit: 's',
    description:
      'Age of each key-encryption key of the ring whose creation time is known. Alert when the current key is older than its rotation period.',
    attributes: [ATTR.cache, ATTR.encryptionKeyId],
  },
  accessDenials: {
    name: 'omnicache.access.denials',
    instrument: 'ObservableCounter',
    unit: '{call}',
    description:
      'Cache calls refused by the access policy (each also raised AccessDeniedError and emitted an access-denied event).',
    attributes: [ATTR.cache],
  },
  httpResponses: {
    name: 'omnicache.http.responses',
    instrument: 'ObservableCounter',
    unit: '{response}',
    description:
      'Responses of routes cached by omnicache/fastify or omnicache/express, by route, method, status and cache result.',
    attributes: [ATTR.cache, ATTR.httpRoute, ATTR.httpMethod, ATTR.httpStatus, ATTR.httpResult],
  },
  invalidations: {
    name: 'omnicache.invalidations',
    instrument: 'ObservableCounter',
    unit: '{invalidation}',
    description:
      'Invalidations performed by this instance (one per call or applied bus message, whatever it removed), by cause and source.',
    attributes: [ATTR.cache, ATTR.invalidationCause, ATTR.invalidationSource],
  },
  busMessages: {
    name: 'omnicache.bus.messages',
    instrument: 'ObservableCounter',
    unit: '{message}',
    description: 'Invalidation bus messages by outcome (heartbeats not counted).',
    attributes: [ATTR.cache, ATTR.busTransport, ATTR.busOutcome],
  },
  busQueued: {
    name: 'omnicache.bus.queued',
    instrument: 'ObservableGauge',
    unit: '{message}',
    description:
      'Invalidation messages waiting for the bus (it is down or slow); bounded by the maxQueue option.',
    attributes: [ATTR.cache, ATTR.busTransport],
  },
  busGaps: {
    name: 'omnicache.bus.gaps',
    instrument: 'ObservableCounter',
    unit: '{message}',
    description:
      'Bus messages detected as lost (holes in an origin sequence) on this instance; each detection clears l1.',
    attributes: [ATTR.cache, ATTR.busTransport],
  },
  writeBacksRefused: {
    name: 'omnicache.writeback.refused',
    instrument: 'ObservableCounter',
    unit: '{value}',
    description:
      'Loaded values cached nowhere: the key was written or deleted in a shared tier (maybe by another instance) after the load read it, so the value may predate that change.',
    attributes: [ATTR.cache],
  },
  busLag: {
    name: 'omnicache.bus.lag',
    instrument: 'Histogram',
    unit: 's',
    description:
      'Time from publish on the origin (its hybrid logical clock) to applied on this instance, for invalidation messages received over the bus.',
    attributes: [ATTR.cache, ATTR.busTransport],
    buckets: DURATION_BUCKETS_SECONDS,
  },
  prefetchHints: {
    name: 'omnicache.prefetch.hints',
    instrument: 'ObservableCounter',
    unit: '{hint}',
    description:
      'Prefetch hints received from the anomaly service over the prefetch bus (for this cache group).',
    attributes: [ATTR.cache],
  },
  prefetchIssued: {
    name: 'omnicache.prefetch.issued',
    instrument: 'ObservableCounter',
    unit: '{load}',
    description:
      'Prefetch loads started for hints (a remote tier read or a registered loader call); each ends as a landed entry or a drop.',
    attributes: [ATTR.cache],
  },
  prefetchResults: {
    name: 'omnicache.prefetch.results',
    instrument: 'ObservableCounter',
    unit: '{entry}',
    description:
      'Prefetched l1 entries by result: used (read by a later request) or wasted. Precision is used / (used + wasted).',
    attributes: [ATTR.cache, ATTR.prefetchResult],
  },
  prefetchDropped: {
    name: 'omnicache.prefetch.dropped',
    instrument: 'ObservableCounter',
    unit: '{hint}',
    description: 'Prefetch hints not acted on, by reason (rate_limit: dropped by the rate limit).',
    attributes: [ATTR.cache, ATTR.prefetchDropReason],
  },
  prefetchSamples: {
    name: 'omnicache.prefetch.samples',
    instrument: 'ObservableCounter',
    unit: '{sample}',
    description: 'Sampled demand accesses for the access stream (keys as a keyed HMAC), by outcome.',
    attributes: [ATTR.cache, ATTR.prefetchSampleOutcome],
  },
  prefetchOutstanding: {
    name: 'omnicache.prefetch.outstanding',
    instrument: 'ObservableGauge',
    unit: '{entry}',
    description: 'Prefetched l1 entries not read yet (bounded by the maxOutstanding option).',
    attributes: [ATTR.cache],
  },
  prefetchRateFactor: {
    name: 'omnicache.prefetch.rate_factor',
    instrument: 'ObservableGauge',
    unit: '1',
    description:
      '0 while some loader pattern is off (its recent wasted fraction went over the waste budget: it issues nothing and its hints are scored in shadow until they would be right again), else 1.',
    attributes: [ATTR.cache],
  },
} as const satisfies Record<string, MetricConvention>;

export type MetricName = keyof typeof METRICS;

/** Every metric, in definition order. */
export const ALL_METRICS: readonly MetricConvention[] = Object.values(METRICS);

/** Span names (low cardinality: never a key in the name). */
export const SPANS = {
  getOrSet: 'omnicache.get_or_set',
  tierOperation: 'omnicache.tier.operation',
  loader: 'omnicache.loader',
  invalidationApply: 'omnicache.invalidation.apply',
} as const;

export interface SpanConvention {
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeKey[];
}

export const SPAN_CONVENTIONS: Readonly<Record<keyof typeof SPANS, SpanConvention>> = {
  getOrSet: {
    name: SPANS.getOrSet,
    description:
      'One per getOrSet (or wrap) that misses l1; parent of the tier operations and the loader. An l1 hit creates no span.',
    attributes: [ATTR.cache, ATTR.namespace, ATTR.result, ATTR.coalesced, ATTR.keyHmac, ATTR.errorType],
  },
  tierOperation: {
    name: SPANS.tierOperation,
    description: 'One remote tier operation (child of get_or_set when inside one).',
    attributes: [ATTR.cache, ATTR.tier, ATTR.tierKind, ATTR.operation, ATTR.outcome, ATTR.errorType],
  },
  loader: {
    name: SPANS.loader,
    description:
      'The loader call; the active context propagates into it (W3C trace context for its own I/O).',
    attributes: [ATTR.cache, ATTR.namespace, ATTR.outcome, ATTR.keyHmac, ATTR.errorType],
  },
  invalidationApply: {
    name: SPANS.invalidationApply,
    description:
      'A bus invalidation applied on a receiving instance (consumer span), for messages sent while a span was active on the origin: that span is its parent (W3C trace context carried in the message).',
    attributes: [ATTR.cache, ATTR.busTransport],
  },
};

/**
 * Audit records exported as OpenTelemetry log records (omnicache/otel-logs' audit sink): one log record per audit
 * record, event name AUDIT_EVENT_NAME, body = the action, these attributes. The hash-chain fields travel along so
 * a log backend can re-verify the chain.
 */
export const AUDIT_EVENT_NAME = 'omnicache.audit';
export const AUDIT_ATTR = {
  seq: 'omnicache.audit.seq',
  time: 'omnicache.audit.time',
  actor: 'omnicache.audit.actor',
  action: 'omnicache.audit.action',
  target: 'omnicache.audit.target',
  outcome: 'omnicache.audit.outcome',
  details: 'omnicache.audit.details',
  prevHash: 'omnicache.audit.prev_hash',
  hash: 'omnicache.audit.hash',
} as const;

/** What each audit log record attribute holds (rendered into docs/metrics.md). */
export const AUDIT_ATTRIBUTE_DESCRIPTIONS: Readonly<Record<keyof typeof AUDIT_ATTR, string>> = {
  seq: 'Sequence number in the chain (1, 2, 3, ... without gaps).',
  time: 'ISO 8601 UTC time of the append.',
  actor: 'Who acted (service, instance or user; PII-redacted when the log has a redactor).',
  action:
    'What happened: key.rotate, key.retire, access.denied, decrypt.failed, erasure, clear, config.change, pii.rejected.',
  target:
    'What it was about (key, namespace, data subject, key id; PII-redacted when the log has a redactor).',
  outcome: 'success, failure or denied.',
  details: 'Canonical JSON of the record details (counts, types found, ...).',
  prevHash: 'SHA-256 (hex) of the previous record.',
  hash: 'SHA-256 (hex) over the canonical JSON of the record; the chain link the next record carries.',
};

/** Allowed values of `attribute` on `metric` (the metric's narrower set, else the attribute's own). */
export function allowedValues(
  metric: MetricConvention,
  attribute: AttributeKey,
): readonly string[] | undefined {
  const narrowed = metric.values?.[attribute];
  if (narrowed) return narrowed;
  return Object.values(ATTRIBUTES).find((a) => a.key === attribute)?.values;
}

// ---------------------------------------------------------------------------------------------------------
// Prometheus form: the OTLP -> Prometheus translation (prometheus/otlptranslator, UnderscoreEscapingWithSuffixes)

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Prometheus kind a given OpenTelemetry instrument becomes. */
export function prometheusType(instrument: InstrumentKind): 'counter' | 'gauge' | 'histogram' {
  if (instrument === 'ObservableCounter') return 'counter';
  if (instrument === 'Histogram') return 'histogram';
  return 'gauge';
}

function tokens(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((t) => t.length > 0);
}

function cleanUnit(unit: string): string {
  return unit.replace(/\{[^}]*\}/g, '').trim();
}

/**
 * OpenTelemetry name + unit + kind -> Prometheus metric name: non-alphanumerics become `_`, the unit word is
 * appended (`_seconds`, `_bytes`, `_per_second`; `{annotations}` dropped) unless already a name token,
 * `_ratio` for gauges with unit `1`, `_total` for monotonic counters.
 */
export function toPrometheusName(name: string, unit: string, instrument: InstrumentKind): string {
  const parts = tokens(name);
  const type = prometheusType(instrument);
  const cleaned = cleanUnit(unit);
  const [main = '', per = ''] = cleaned.split('/', 2).map((u) => u.trim());
  const mainWord = UNIT_WORDS[main] ?? (main === '1' ? '' : tokens(main).join('_'));
  if (mainWord && !parts.includes(mainWord)) parts.push(mainWord);
  if (type === 'gauge' && main === '1' && !per && !parts.includes('ratio')) parts.push('ratio');
  const perWord = PER_UNIT_WORDS[per] ?? tokens(per).join('_');
  if (perWord && !parts.includes(perWord)) parts.push('per', perWord);
  if (type === 'counter') {
    const idx = parts.indexOf('total');
    if (idx >= 0) parts.splice(idx, 1);
    parts.push('total');
  }
  return parts.join('_');
}

/** The Prometheus metric (family) name of a metric, e.g. `omnicache_requests_total`. */
export function prometheusName(metric: MetricConvention): string {
  return toPrometheusName(metric.name, metric.unit, metric.instrument);
}

/** The Prometheus name without the counter `_total` (what exporters that add `_total` themselves need). */
export function prometheusBaseName(metric: MetricConvention): string {
  const full = prometheusName(metric);
  return metric.instrument === 'ObservableCounter' ? full.replace(/_total$/, '') : full;
}

/** Every series name a metric produces in Prometheus (`_bucket`, `_sum`, `_count` for histograms). */
export function prometheusSeriesNames(metric: MetricConvention): string[] {
  const name = prometheusName(metric);
  if (metric.instrument === 'Histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  return [name];
}

/** Prometheus label name of an attribute key, e.g. `omnicache_cache_name`. */
export function prometheusLabel(key: AttributeKey | string): string {
  const label = key.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(label) ? `key_${label}` : label;
}

/** Labels every series carries in addition to the metric's attributes (resource/scope promotion, histogram le). */
export const PROMETHEUS_EXTRA_LABELS = [
  'job',
  'instance',
  'le',
  'otel_scope_name',
  'otel_scope_version',
] as const;

// ---------------------------------------------------------------------------------------------------------
// Anomaly service (@omnicache/anomaly): the names of its own metrics and of the labels on its alerts. Kept apart
// from METRICS (what a cache exports): these come from the service's /metrics, not from the SDK.

/** Attribute (label) keys of the anomaly service's metrics. */
export const ANOMALY_ATTR = {
  /** Name of the watched series in the service's configuration (e.g. `hit_ratio`). */
  series: 'omnicache.anomaly.series',
  /** Labels of the Prometheus series it scored, rendered `{k="v",...}` (one config series may match several). */
  labels: 'omnicache.anomaly.labels',
  detector: 'omnicache.anomaly.detector',
  /** Why a point was not scored, or a query failed. */
  reason: 'omnicache.anomaly.reason',
  modelStatus: 'omnicache.anomaly.model.status',
} as const;

export type AnomalyAttributeKey = (typeof ANOMALY_ATTR)[keyof typeof ANOMALY_ATTR];

/** A metric of the anomaly service (as MetricConvention, over the anomaly attribute keys). */
export interface AnomalyMetricConvention extends Omit<MetricConvention, 'attributes' | 'values'> {
  readonly attributes: readonly AnomalyAttributeKey[];
}

export const ANOMALY_DETECTOR_VALUES = ['ensemble', 'robust_z', 'ewma', 'seasonal', 'cusum', 'tfjs'] as const;
export const ANOMALY_REJECT_REASON_VALUES = [
  'gap',
  'not_finite',
  'counter_reset',
  'stale',
  'disappeared',
  'over_limit',
] as const;
export const ANOMALY_QUERY_ERROR_VALUES = ['unreachable', 'timeout', 'http_status', 'bad_response'] as const;
export const ANOMALY_MODEL_STATUS_VALUES = ['untrained', 'training', 'ready', 'failed'] as const;

export const ANOMALY_METRICS = {
  score: {
    name: 'omnicache.anomaly.score',
    instrument: 'ObservableGauge',
    unit: '1',
    description:
      'Latest anomaly score in [0, 1] of each watched series: the ensemble and each detector (0 normal, 1 certain anomaly).',
    attributes: [ANOMALY_ATTR.series, ANOMALY_ATTR.labels, ANOMALY_ATTR.detector],
  },
  points: {
    name: 'omnicache.anomaly.points',
    instrument: 'ObservableCounter',
    unit: '{point}',
    description: 'Points scored per watched series (back-fill included).',
    attributes: [ANOMALY_ATTR.series],
  },
  rejected: {
    name: 'omnicache.anomaly.points.rejected',
    instrument: 'ObservableCounter',
    unit: '{point}',
    description:
      'Points not scored, by reason: gap (missing evaluations), not_finite (NaN/Inf), counter_reset, stale (no new sample), disappeared (series dropped after a long absence), over_limit (a new series beyond maxSeries).',
    attributes: [ANOMALY_ATTR.series, ANOMALY_ATTR.reason],
  },
  queryErrors: {
    name: 'omnicache.anomaly.query.errors',
    instrument: 'ObservableCounter',
    unit: '{error}',
    description: 'Failed Prometheus queries, by reason (the evaluation is skipped, never a crash).',
    attributes: [ANOMALY_ATTR.series, ANOMALY_ATTR.reason],
  },
  trainingDuration: {
    name: 'omnicache.anomaly.model.training.duration',
    instrument: 'ObservableGauge',
    unit: 's',
    description: 'Duration of the last TensorFlow.js training round of each series model.',
    attributes: [ANOMALY_ATTR.series, ANOMALY_ATTR.labels],
  },
  modelStatus: {
    name: 'omnicache.anomaly.model.status',
    instrument: 'ObservableGauge',
    unit: '{state}',
    description:
      'TensorFlow.js model state of each series as a state set: 1 for the current state, 0 for the others.',
    attributes: [ANOMALY_ATTR.series, ANOMALY_ATTR.labels, ANOMALY_ATTR.modelStatus],
  },
  alertsFiring: {
    name: 'omnicache.anomaly.alerts.firing',
    instrument: 'ObservableGauge',
    unit: '{alert}',
    description: 'Anomaly alerts currently firing (sent to Alertmanager and not yet resolved).',
    attributes: [],
  },
  alertmanagerErrors: {
    name: 'omnicache.anomaly.alertmanager.errors',
    instrument: 'ObservableCounter',
    unit: '{error}',
    description: 'Failed posts to Alertmanager (retried at the next evaluation).',
    attributes: [],
  },
} as const satisfies Record<string, AnomalyMetricConvention>;

/** The Prometheus name of an anomaly-service metric, e.g. `omnicache_anomaly_score_ratio`. */
export function anomalyPrometheusName(metric: AnomalyMetricConvention): string {
  return toPrometheusName(metric.name, metric.unit, metric.instrument);
}

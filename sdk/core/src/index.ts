export type { ResolvedCacheConfig } from './cache/config.js';
export type { ErasureResult } from './cache/erasure.js';
export type { InvalidationResult, InvalidationTarget } from './cache/invalidation.js';
export type { SkipCache } from './cache/skip-cache.js';
export type {
  CacheStats,
  EvictionStats,
  L1Stats,
  MovementStats,
  RemoteTierStats,
} from './cache/stats.js';
export type {
  CacheDefaults,
  GetOptions,
  GetOrSetOptions,
  Loader,
  LoaderContext,
  SetManyEntry,
  SetOptions,
} from './cache/types.js';
export { Cache, type CacheConfig, createCache } from './cache.js';
export * from './codec/index.js';
export type { CacheFileConfig } from './config/file-schema.js';
export { type LoadCacheConfigOptions, loadCacheConfig } from './config/load-config.js';
export * from './errors.js';
export * from './events.js';
export {
  type InspectKeyOptions,
  inspectKey,
  type KeyReport,
  type TierKeyReport,
} from './inspect/inspect-key.js';
export { type CachedFunction, type CachedOptions, cached } from './integrations/cached.js';
export {
  Cached,
  type CachedMethodOptions,
  type CacheSource,
  cachedKey,
  InvalidatesCache,
  type InvalidatesCacheOptions,
  invalidateAllCached,
  invalidateCached,
} from './integrations/decorators.js';
export type { Bus, BusHandler, BusOutgoing } from './invalidation/bus.js';
export type { BusMessageCounts, InvalidationStats } from './invalidation/invalidator.js';
export type { BusOption } from './invalidation/options.js';
export {
  signWebhook,
  startWebhookServer,
  WebhookHandler,
  type WebhookOptions,
  type WebhookRejection,
  type WebhookServer,
  type WebhookStats,
} from './invalidation/webhook.js';
export * from './policy/index.js';
export {
  ACCESS_TIERS,
  type AccessMessage,
  type AccessSample,
  type AccessTier,
  decodePrefetchMessage,
  encodePrefetchMessage,
  type HintsMessage,
  KEY_HASH_LENGTH,
  MAX_BATCH as MAX_PREFETCH_BATCH,
  PREFETCH_MESSAGE_VERSION,
  type PrefetchDecodeResult,
  type PrefetchHint,
  type PrefetchMessage,
} from './prefetch/messages.js';
export type { PrefetchOption } from './prefetch/options.js';
export {
  type ChannelBusFactory,
  defaultPrefetchTopic,
  PrefetchBus,
  type PrefetchChannel,
  type PrefetchSide,
} from './prefetch/prefetch-bus.js';
export { withPrefetchSession } from './prefetch/session.js';
export {
  PREFETCH_DROP_REASONS,
  type PrefetchDropReason,
  type PrefetchStats,
  SAMPLE_OUTCOMES,
  type SampleOutcome,
} from './prefetch/stats.js';
export * from './resilience/index.js';
export * from './security/access/index.js';
export * from './security/audit/index.js';
export type { CacheSecurityConfig } from './security/cache-security.js';
export * from './security/encryption/index.js';
export * from './security/pii/index.js';
export { MAX_SUBJECT_LENGTH } from './security/subject.js';
export { VALUE_POLICY_MODES, type ValuePolicyConfig, type ValuePolicyMode } from './security/value-policy.js';
export * as conventions from './telemetry/conventions.js';
export { type CacheInstrumentation, type InstrumentOptions, instrument } from './telemetry/instrument.js';
export { type TracingOptions, traceCache } from './telemetry/tracing.js';
export { FsTier, type FsTierOptions, fsTier } from './tiers/fs/index.js';
export { MemoryTier, type MemoryTierOptions } from './tiers/memory/index.js';
export type { Tier, TierKeysPage, TierKind, TierRead, TierSetOptions, TierWrite } from './tiers/tier.js';

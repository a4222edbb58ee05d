export type { ResolvedCacheConfig } from './cache/config.js';
export type { InvalidationResult, InvalidationTarget } from './cache/invalidation.js';
export type {
  CacheStats,
  EvictionStats,
  L1Stats,
  MovementStats,
  RemoteTierStats,
} from './cache/stats.js';
export type {
  GetOptions,
  GetOrSetOptions,
  Loader,
  LoaderContext,
  SetManyEntry,
  SetOptions,
} from './cache/types.js';
export { Cache, type CacheConfig, createCache } from './cache.js';
export * from './codec/index.js';
export * from './errors.js';
export * from './events.js';
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
export * from './resilience/index.js';
export * as conventions from './telemetry/conventions.js';
export { type CacheInstrumentation, type InstrumentOptions, instrument } from './telemetry/instrument.js';
export { type TracingOptions, traceCache } from './telemetry/tracing.js';
export { FsTier, type FsTierOptions, fsTier } from './tiers/fs/index.js';
export { MemoryTier, type MemoryTierOptions } from './tiers/memory/index.js';
export type { Tier, TierKind, TierSetOptions, TierWrite } from './tiers/tier.js';

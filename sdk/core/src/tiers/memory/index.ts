export type { L1Entry } from './entry.js';
export { MemoryTier, type MemoryTierOptions } from './memory-tier.js';

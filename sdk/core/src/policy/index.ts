import { ArcPolicy } from './arc.js';
import { LruPolicy } from './lru.js';
import type { PolicyKey, PolicyName, ReplacementPolicy } from './policy.js';

export { ArcPolicy } from './arc.js';
export { DenseIndex, type KeyIndex } from './key-index.js';
export { LruPolicy } from './lru.js';
export type {
  ArcSnapshot,
  LruSnapshot,
  PolicyCounters,
  PolicyKey,
  PolicyName,
  PrefetchCounters,
  ReplacementPolicy,
} from './policy.js';

export const POLICY_NAMES: readonly PolicyName[] = ['arc', 'lru'];

/** Creates a policy by name; an unknown name gets an error listing the valid ones. */
export function createPolicy<K extends PolicyKey>(name: string, capacity: number): ReplacementPolicy<K> {
  switch (name) {
    case 'arc':
      return new ArcPolicy<K>(capacity);
    case 'lru':
      return new LruPolicy<K>(capacity);
    default:
      throw new RangeError(`unknown policy "${name}"; valid policies: ${POLICY_NAMES.join(', ')}`);
  }
}

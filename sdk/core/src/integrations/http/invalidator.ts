/**
 * The adapter between the HTTP integrations (and the method decorators) and the cache's invalidation API.
 * A cache with `invalidate(key | { tag } | { prefix })` is used through it (prefix invalidation needs it);
 * otherwise keys go through `delete` and tags through `deleteByTag`.
 */
import type { Cache } from '../../cache.js';
import { ConfigError } from '../../errors.js';

export type InvalidationTarget = string | { tag: string } | { prefix: string };

type InvalidateMethod = (target: InvalidationTarget) => Promise<unknown>;

export interface Invalidator {
  /** Whether `{ prefix }` targets are supported by this cache. */
  readonly supportsPrefix: boolean;
  invalidate(target: InvalidationTarget): Promise<void>;
}

export function invalidatorFor(cache: Cache): Invalidator {
  const method = (cache as Cache & { invalidate?: unknown }).invalidate;
  if (typeof method === 'function') {
    const invalidate = method as InvalidateMethod;
    return {
      supportsPrefix: true,
      async invalidate(target) {
        await invalidate.call(cache, target);
      },
    };
  }
  return {
    supportsPrefix: false,
    async invalidate(target) {
      if (typeof target === 'string') await cache.delete(target);
      else if ('tag' in target) await cache.deleteByTag(target.tag);
      else throw prefixUnsupported();
    },
  };
}

export function prefixUnsupported(): ConfigError {
  return new ConfigError(
    'prefix invalidation needs a cache with invalidate({ prefix }), which this version of omnicache does not have; invalidate by paths or tags instead',
  );
}

/**
 * `cached(cache, fn, options)`: a function whose results are cached per arguments (read-through with
 * single-flight, the cache's SWR/grace/timeouts), with helpers to compute and invalidate its keys.
 *
 * ```ts
 * const getUser = cached(cache, (id: number) => db.users.find(id), { name: 'user', ttl: 30_000 });
 * await getUser(42);            // loads once, then hits
 * await getUser.invalidate(42); // the next call loads again
 * ```
 */
import type { GetOrSetOptions } from '../cache/types.js';
import type { Cache } from '../cache.js';
import { ConfigError } from '../errors.js';
import { argsKey } from './args-key.js';
import { invalidatorFor } from './http/invalidator.js';

export interface CachedOptions<A extends unknown[]> extends Omit<GetOrSetOptions, 'tags'> {
  /**
   * Key prefix and the name of the function's tag. Default: the function's own name. Give one explicitly when
   * code is minified or two functions share a name.
   */
  name?: string;
  /** The key from the arguments (default: `name(canonical arguments)`). */
  key?: (...args: A) => string;
  /** Tags from the arguments, for `cache.deleteByTag` or invalidating decorators. */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
}

export interface CachedFunction<A extends unknown[], V> {
  (...args: A): Promise<V>;
  /** The cache key a call with these arguments uses. */
  keyFor(...args: A): string;
  /** Removes the cached result of a call with these arguments. */
  invalidate(...args: A): Promise<void>;
  /** Removes every cached result of this function (all calls carry the tag `fn:<name>`). */
  invalidateAll(): Promise<void>;
}

/** What cached() and the decorators share: key and options of one call. */
export interface CallPlan<A extends unknown[]> {
  name: string;
  keyFor(args: A): string;
  optionsFor(args: A): GetOrSetOptions;
  allTag: string;
}

export function callPlan<A extends unknown[]>(name: string, options: CachedOptions<A>): CallPlan<A> {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('cached: the function has no name; give options.name');
  const { name: _n, key, tags, ...getOrSet } = options;
  const allTag = `fn:${name}`;
  return {
    name,
    allTag,
    keyFor: (args) => (key === undefined ? argsKey(name, args) : `${name}:${key(...args)}`),
    optionsFor: (args) => {
      const own = typeof tags === 'function' ? tags(...args) : (tags ?? []);
      return { ...getOrSet, tags: [allTag, ...own] };
    },
  };
}

export function cached<F extends (...args: never[]) => unknown>(
  cache: Cache,
  fn: F,
  options: CachedOptions<Parameters<F>> = {},
): CachedFunction<Parameters<F>, Awaited<ReturnType<F>>> {
  type A = Parameters<F>;
  type V = Awaited<ReturnType<F>>;
  const plan = callPlan<A>(options.name ?? fn.name, options);
  const invalidator = invalidatorFor(cache);
  const call = (...args: A) =>
    cache.getOrSet<V>(
      plan.keyFor(args),
      () => Promise.resolve(fn(...args)) as Promise<V>,
      plan.optionsFor(args),
    );
  return Object.assign(call, {
    keyFor: (...args: A) => plan.keyFor(args),
    invalidate: (...args: A) => invalidator.invalidate(plan.keyFor(args)),
    invalidateAll: () => invalidator.invalidate({ tag: plan.allTag }),
  });
}

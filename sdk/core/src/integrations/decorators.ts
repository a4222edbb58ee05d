/**
 * TC39 standard decorators (TypeScript 5+, no `experimentalDecorators`) for class methods:
 * `@Cached(...)` caches an async method per arguments, `@InvalidatesCache(...)` invalidates after a method
 * succeeds, `invalidateCached(instance, 'method', ...args)` removes one call's result.
 *
 * ```ts
 * class Users {
 *   constructor(readonly cache: Cache) {}
 *   @Cached({ cache: (self: Users) => self.cache, ttl: 30_000, tags: (id: number) => [`user:${id}`] })
 *   async get(id: number) { return db.users.find(id); }
 *   @InvalidatesCache({ cache: (self: Users) => self.cache, tags: (id: number) => [`user:${id}`] })
 *   async rename(id: number, name: string) { await db.users.update(id, { name }); }
 * }
 * ```
 */
import type { Cache } from '../cache.js';
import { ConfigError } from '../errors.js';
import { type CachedOptions, type CallPlan, callPlan } from './cached.js';
import { invalidatorFor } from './http/invalidator.js';

/** The cache itself, or a function of the instance that returns it (for a cache injected per instance). */
export type CacheSource<This> = Cache | ((self: This) => Cache);

export interface CachedMethodOptions<This, A extends unknown[]> extends CachedOptions<A> {
  cache: CacheSource<This>;
  /** Key prefix; default `ClassName.method`. */
  name?: string;
}

export interface InvalidatesCacheOptions<This, A extends unknown[]> {
  cache: CacheSource<This>;
  /** Tags to invalidate, from the method's arguments. */
  tags?: (...args: A) => readonly string[];
  /** Raw cache keys to invalidate, from the method's arguments. */
  keys?: (...args: A) => readonly string[];
}

type AsyncMethod<This, A extends unknown[], V> = (this: This, ...args: A) => Promise<V>;

interface MethodCache {
  plan: (self: unknown) => CallPlan<unknown[]>;
  cacheOf: (self: unknown) => Cache;
}

/** Each @Cached replacement function -> how to find its entries (for cachedKey / invalidateCached). */
const registry = new WeakMap<object, MethodCache>();

function resolver<This>(source: CacheSource<This>): (self: This) => Cache {
  if (typeof source === 'function') return source as (self: This) => Cache;
  return () => source;
}

/** Name of the class that defines `fn` as `name` (not a subclass the instance belongs to). */
function definingClass(self: unknown, name: string | symbol, fn: unknown): string {
  let o: object | null = typeof self === 'function' ? self : Object.getPrototypeOf(self);
  while (o !== null) {
    if (Object.getOwnPropertyDescriptor(o, name)?.value === fn)
      return typeof o === 'function' ? o.name : (o as { constructor: { name: string } }).constructor.name;
    o = Object.getPrototypeOf(o);
  }
  return 'anonymous';
}

/** Caches an async method's results per arguments (instances of the class share entries unless the key differs). */
export function Cached<This, A extends unknown[]>(options: CachedMethodOptions<This, A>) {
  // The option callbacks may declare only the first parameters of the method: B extends [...A, ...rest].
  return <B extends [...A, ...unknown[]], V>(
    method: AsyncMethod<This, B, V>,
    context: ClassMethodDecoratorContext<This, AsyncMethod<This, B, V>>,
  ) => {
    if (context.kind !== 'method') throw new ConfigError('@Cached decorates methods only');
    const cacheOf = resolver(options.cache);
    let plan: CallPlan<B> | undefined;
    const planFor = (self: This) => {
      plan ??= callPlan<B>(
        options.name ?? `${definingClass(self, context.name, replacement)}.${String(context.name)}`,
        options as unknown as CachedOptions<B>,
      );
      return plan;
    };
    const replacement = function (this: This, ...args: B): Promise<V> {
      const p = planFor(this);
      return cacheOf(this).getOrSet<V>(p.keyFor(args), () => method.apply(this, args), p.optionsFor(args));
    };
    registry.set(replacement, {
      plan: planFor as (self: unknown) => CallPlan<unknown[]>,
      cacheOf: cacheOf as (self: unknown) => Cache,
    });
    return replacement;
  };
}

/** After the method resolves, invalidates the given tags and keys (awaited, so callers read fresh data). */
export function InvalidatesCache<This, A extends unknown[]>(options: InvalidatesCacheOptions<This, A>) {
  return <B extends [...A, ...unknown[]], V>(
    method: AsyncMethod<This, B, V>,
    context: ClassMethodDecoratorContext<This, AsyncMethod<This, B, V>>,
  ) => {
    if (context.kind !== 'method') throw new ConfigError('@InvalidatesCache decorates methods only');
    const cacheOf = resolver(options.cache);
    return async function (this: This, ...all: B): Promise<V> {
      const result = await method.apply(this, all);
      const args = all as unknown as A;
      const invalidator = invalidatorFor(cacheOf(this));
      const targets = [
        ...(options.tags?.(...args) ?? []).map((tag) => ({ tag })),
        ...(options.keys?.(...args) ?? []),
      ];
      await Promise.all(targets.map((t) => invalidator.invalidate(t)));
      return result;
    };
  };
}

function lookup(instance: object, method: string | symbol): { plan: CallPlan<unknown[]>; cache: Cache } {
  const entry = registry.get((instance as Record<string | symbol, object>)[method] ?? {});
  if (entry === undefined) throw new ConfigError(`${String(method)} is not a @Cached method of this object`);
  return { plan: entry.plan(instance), cache: entry.cacheOf(instance) };
}

type MethodArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? A : never;

/** The cache key of `instance.method(...args)` (a @Cached method). */
export function cachedKey<T extends object, K extends keyof T & (string | symbol)>(
  instance: T,
  method: K,
  ...args: MethodArgs<T, K>
): string {
  return lookup(instance, method).plan.keyFor(args);
}

/** Removes the cached result of `instance.method(...args)` (a @Cached method). */
export async function invalidateCached<T extends object, K extends keyof T & (string | symbol)>(
  instance: T,
  method: K,
  ...args: MethodArgs<T, K>
): Promise<void> {
  const { plan, cache } = lookup(instance, method);
  await invalidatorFor(cache).invalidate(plan.keyFor(args));
}

/** Removes every cached result of a @Cached method (all instances). */
export async function invalidateAllCached<T extends object, K extends keyof T & (string | symbol)>(
  instance: T,
  method: K,
): Promise<void> {
  const { plan, cache } = lookup(instance, method);
  await invalidatorFor(cache).invalidate({ tag: plan.allTag });
}

import type { CacheCore } from '../cache/core.js';
import type { GetOrSetOptions, Loader } from '../cache/types.js';
import { ConfigError } from '../errors.js';

/** Most patterns one cache keeps (patterns are code, not data: this catches a registration in a loop). */
export const MAX_LOADERS = 256;

interface Registered {
  namespace: string;
  pattern: RegExp;
  loader: Loader<unknown>;
  options: GetOrSetOptions | undefined;
}

/** `product:*` -> /^product:.*$/ (only `*` is special); a RegExp is used as it is. */
function compile(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new ConfigError(
      'registerLoader(pattern, loader): pattern must be a non-empty string (with * wildcards) or a RegExp',
    );
  }
  const escaped = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/**
 * Loaders registered per key pattern (`cache.registerLoader('product:*', load)`), per namespace: what the
 * prefetch executor calls for a hinted key. First registered match wins.
 */
export class LoaderRegistry {
  readonly #loaders: Registered[] = [];

  register<V>(
    namespace: string,
    pattern: string | RegExp,
    loader: Loader<V>,
    options?: GetOrSetOptions,
  ): () => void {
    if (typeof loader !== 'function')
      throw new ConfigError('registerLoader(pattern, loader): loader must be a function');
    if (this.#loaders.length >= MAX_LOADERS) {
      throw new ConfigError(
        `registerLoader: at most ${MAX_LOADERS} patterns per cache; use broader patterns`,
      );
    }
    const entry: Registered = {
      namespace,
      pattern: compile(pattern),
      loader: loader as Loader<unknown>,
      options,
    };
    this.#loaders.push(entry);
    return () => {
      const i = this.#loaders.indexOf(entry);
      if (i >= 0) this.#loaders.splice(i, 1);
    };
  }

  match(namespace: string, key: string): Registered | undefined {
    for (const r of this.#loaders) {
      if (r.namespace !== namespace) continue;
      r.pattern.lastIndex = 0;
      if (r.pattern.test(key)) return r;
    }
    return undefined;
  }
}

const registries = new WeakMap<CacheCore, LoaderRegistry>();

/** The cache's registry, made on first registration (registering works with or without the prefetch option). */
export function loaderRegistry(core: CacheCore): LoaderRegistry {
  let r = registries.get(core);
  if (r === undefined) {
    r = new LoaderRegistry();
    registries.set(core, r);
  }
  return r;
}

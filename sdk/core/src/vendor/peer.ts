import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../errors.js';

/** The package a specifier belongs to (`libphonenumber-js/max` -> `libphonenumber-js`, `@scope/pkg/sub` -> `@scope/pkg`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isMissing(err: unknown, specifier: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the peer itself being absent counts: a broken install of one of its own dependencies is rethrown as is.
  // For a subpath specifier Node names the package ("Cannot find package 'libphonenumber-js'").
  if (typeof message !== 'string') return false;
  return [specifier, packageName(specifier)].some(
    (s) => message.includes(`'${s}'`) || message.includes(`"${s}"`),
  );
}

/**
 * Loads vendor packages (optional peer dependencies) for a subpath entry point, with ESM resolution so the
 * application and omnicache share one instance of each. Missing packages become one MissingPeerDependencyError
 * that names every package to install.
 */
export async function importPeers<T extends unknown[]>(
  specifiers: { [I in keyof T]: string },
  entryPoint: string,
): Promise<T> {
  const results = await Promise.allSettled(specifiers.map((s) => import(s)));
  const missing = specifiers.filter((s, i) => {
    const r = results[i];
    return r?.status === 'rejected' && isMissing(r.reason, s);
  });
  if (missing.length > 0)
    throw new MissingPeerDependencyError([...new Set(missing.map(packageName))], entryPoint);
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }) as T;
}

const require = createRequire(import.meta.url);

/**
 * Synchronous variant for the root entry, which must load without its optional peers (no top-level await there):
 * used for @opentelemetry/api, whose global registry makes its CommonJS and ESM builds share state.
 */
export function requirePeer<T>(specifier: string, entryPoint: string): T {
  try {
    return require(specifier) as T;
  } catch (err) {
    if (isMissing(err, specifier))
      throw new MissingPeerDependencyError([packageName(specifier)], entryPoint, { cause: err });
    throw err;
  }
}

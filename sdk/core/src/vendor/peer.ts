import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../errors.js';

function isMissing(err: unknown, specifier: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the peer itself being absent counts: a broken install of one of its own dependencies is rethrown as is.
  return (
    typeof message === 'string' && (message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`))
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
  if (missing.length > 0) throw new MissingPeerDependencyError(missing, entryPoint);
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
      throw new MissingPeerDependencyError([specifier], entryPoint, { cause: err });
    throw err;
  }
}

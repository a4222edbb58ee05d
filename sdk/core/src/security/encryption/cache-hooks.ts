import type { CacheCore } from '../../cache/core.js';
import type { EncryptionError } from './errors.js';

/**
 * A value could not be sealed (no data key: the key provider refused or is unreachable and none is cached).
 * The cache keeps it in L1 only; every remote tier gets an `error` event for the skipped write, with the typed
 * EncryptionError (reason, key id) as its error.
 */
export function reportSealFailure(core: CacheCore, error: EncryptionError): void {
  const ev = core.events;
  if (!ev.wants('error')) return;
  for (const r of core.remotes)
    ev.emit({ type: 'error', cache: core.name, tier: r.name, operation: 'set', error });
}

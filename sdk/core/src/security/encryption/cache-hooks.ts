import type { CacheCore } from '../../cache/core.js';
import type { RemoteTier } from '../../cache/remote-tier.js';
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

/**
 * Removes an entry that failed decryption or its checksum, if it still holds the bytes that failed (re-read first,
 * so a value written meanwhile by another instance is kept; the tiers have no compare-and-delete, so a write landing
 * between the re-read and the delete can still be lost, which costs a miss, never a wrong value).
 */
export async function removeUndecodable(r: RemoteTier, remoteKey: string, bad: Uint8Array): Promise<void> {
  const now = await r.call('get', (t) => t.get(remoteKey), undefined);
  if (now === undefined || !Buffer.from(now).equals(Buffer.from(bad))) return;
  await r.call('delete', (t) => t.delete(remoteKey), false);
}

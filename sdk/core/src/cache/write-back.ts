/**
 * Write-backs that span an invalidation (docs/invalidation.md). A load reads the remote tiers before its loader
 * runs; on a conditional tier (Tier.tombstoneMs > 0: Redis, fs) that read also names the key's state (which write
 * or which delete's tombstone is there, or nothing). The load's write-back then asks the tier to write only if the
 * state is still that one, atomically in the tier: a write or a key delete (on any instance) since the read makes
 * the tier refuse, since the loader may have read the source of truth before that change. No clock is compared,
 * so clock skew between instances does not matter.
 *
 * A tombstone lives `tombstoneMs`; a write-back whose read was issued longer ago than that minus the tier's call
 * budget is not attempted (its tombstone may be gone) and counts as refused too. A refused value is still the
 * caller's answer, but it is cached nowhere: the L1 copy written when the load landed is removed again.
 * Promotions (L3 into L2) and demotions (L1 into L2) go into a conditional tier only where it holds nothing for
 * the key (no tombstone, no value) and the read found nothing either; they are not counted.
 */
import type { RemoteTier } from './remote-tier.js';
import type { View } from './view.js';
import type { Prepared } from './writes.js';

/** A conditional tier's state of a key as a read before a load found it. */
export interface Observed {
  readonly state: string;
  /** performance.now() when the read was issued (the tier saw that state at this moment or later). */
  readonly at: number;
}

/** What the reads before a load saw, by remote tier index (undefined where the tier is not conditional or failed). */
export type ObservedStates = (Observed | undefined)[];

/** Reads one key from a remote tier, recording its state in `observed[i]` when the tier is conditional. */
export async function readTier(
  r: RemoteTier,
  i: number,
  key: string,
  observed: ObservedStates | undefined,
  trace?: { namespace: string; key: string },
): Promise<Uint8Array | undefined> {
  if (!r.conditional || observed === undefined) return r.call('get', (t) => t.get(key), undefined, trace);
  const at = performance.now();
  const got = await r.call('get', (t) => t.read!(key), undefined, trace);
  observed[i] = got === undefined ? undefined : { state: got.state, at };
  return got?.value;
}

/** Whether a state read at `o.at` can still be relied on: its tombstones outlive the write about to be sent. */
export function usable(r: RemoteTier, o: Observed | undefined): o is Observed {
  return o !== undefined && performance.now() - o.at < r.tier.tombstoneMs! - r.timeoutMs;
}

/**
 * Writes one loaded value to every remote tier: conditional tiers only if the key is unchanged since `observed`,
 * then (only if none of them refused, and while `current()` still holds) the others as set() does. True when some
 * tier refused (a write or delete of the key came after the read): the value is known to be stale.
 */
export async function writeBack(
  view: View,
  p: Prepared,
  observed: ObservedStates | undefined,
  current: () => boolean,
): Promise<boolean> {
  const core = view.core;
  if (!core.hasRemotes || p.bytes === undefined) return false;
  const w = {
    key: p.where.remoteKey,
    value: p.bytes,
    ttlMs: Math.max(1, p.record.staleUntil - Date.now()),
    version: p.record.version,
    ...(p.qualifiedTags !== undefined && { tags: p.qualifiedTags }),
  };
  const written = (r: RemoteTier) => {
    r.counters.sets++;
    const ev = core.events;
    if (ev.wants('set'))
      ev.emit({ type: 'set', cache: core.name, tier: r.name, key: w.key, ttlMs: p.record.ttl });
  };
  const plain = (r: RemoteTier) =>
    r
      .call('set', (t) => t.set(w.key, w.value, w), false)
      .then((ok) => {
        if (ok !== false) written(r);
      });
  if (!core.hasConditional) {
    await Promise.all(core.remotes.map(plain));
    return false;
  }
  // Conditional tiers first: a refusal there means the value is stale, and a tier that cannot compare (GCS) must
  // not get it either.
  let refused = false;
  await Promise.all(
    core.remotes.map(async (r, i) => {
      if (!r.conditional) return;
      const o = observed?.[i];
      if (!usable(r, o)) {
        refused = true;
        return;
      }
      const ok = await r.call('set', (t) => t.setIfUnchanged!(w, o.state), undefined);
      if (ok === true) written(r);
      else if (ok === false) refused = true;
    }),
  );
  // Issued after an await: only while nothing here wrote, deleted or invalidated the key since (each tier orders
  // a later call of this process for the key after this one).
  if (refused || !current()) return refused;
  await Promise.all(core.remotes.filter((r) => !r.conditional).map(plain));
  return false;
}

/** A refused write-back: counted, and the L1 copy the load wrote (if still there) removed. */
export function refusedWriteBack(view: View, p: Prepared): void {
  const core = view.core;
  core.counters.writeBacksRefused++;
  if (core.l1.entries.get(p.where.l1Key)?.version === p.record.version) core.l1.delete(p.where.l1Key);
}

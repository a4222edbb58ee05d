import { ErasureIncompleteError } from '../errors.js';
import { checkSubject, subjectTierTag } from '../security/subject.js';
import type { CacheCore } from './core.js';
import { existingInvalidation } from './invalidation.js';

/** What eraseSubject removed, per tier (values; tag bookkeeping not counted). */
export interface ErasureResult {
  subject: string;
  l1: number;
  l2?: number;
  l3?: number;
  /** Sequence number of the `erasure` audit record, when the cache has an audit log. */
  auditSeq?: number;
  /**
   * True when the erasure was handed to the invalidation bus: every other instance drops the subject's values
   * from its L1 when the message arrives (and audits its count). Absent without a bus.
   */
  bus?: boolean;
}

/**
 * Deletes every value written with `{ subject }` from every tier of the cache (all namespaces), through each
 * tier's tag index. A remote tier that fails (or whose circuit is open) makes the erasure incomplete: the audit
 * record says so and ErasureIncompleteError is thrown with the partial counts, so the caller retries.
 */
export async function eraseSubject(core: CacheCore, subject: string): Promise<ErasureResult> {
  checkSubject(subject);
  const tag = subjectTierTag(core.name, subject);
  const result: ErasureResult = { subject, l1: 0 };
  const failed = new Set<'l2' | 'l3'>();
  // Nothing filed under the subject lands while the erasure runs (per-key versions, cache/versions.ts). Two
  // passes as well: a promotion between tiers that was in flight during the first one may have copied a value
  // into a remote tier not yet erased; the second pass removes it.
  await core.versions.during('tag', tag, async () => {
    for (let pass = 0; pass < 2; pass++) {
      result.l1 += core.l1.deleteByTag(tag);
      const counts = await Promise.all(
        core.remotes.map((r) => r.call('deleteByTag', (t) => t.deleteByTag(tag), undefined)),
      );
      core.remotes.forEach((r, i) => {
        const n = counts[i];
        if (n === undefined) failed.add(r.name);
        else {
          result[r.name] = (result[r.name] ?? 0) + n;
          r.counters.deletes += n;
        }
      });
    }
  });
  result.l1 += core.l1.deleteByTag(tag);
  // Other instances' L1 copies: the remote tiers are erased first, so what they re-read afterwards is gone too.
  const engine = existingInvalidation(core);
  if (engine?.hasBus === true) {
    engine.publish('tag', [tag], 'erasure', 'local');
    engine.bumpVersion({ tag });
    result.bus = true;
  }
  const audit = core.security.audit;
  if (audit !== undefined) {
    const details: Record<string, number | string[] | boolean> = {
      l1: result.l1,
      complete: failed.size === 0,
    };
    if (result.l2 !== undefined) details.l2 = result.l2;
    if (result.l3 !== undefined) details.l3 = result.l3;
    if (failed.size > 0) details.failedTiers = [...failed];
    if (result.bus === true) details.bus = true;
    const rec = await audit.append({
      action: 'erasure',
      target: subject,
      outcome: failed.size === 0 ? 'success' : 'failure',
      details: { cache: core.name, ...details },
    });
    result.auditSeq = rec.seq;
  }
  if (failed.size > 0) {
    throw new ErasureIncompleteError(
      `erasure of a data subject did not reach ${[...failed].join(' and ')} (tier error or open circuit); values may remain there: call eraseSubject again once the tier is back`,
      result,
      [...failed],
    );
  }
  return result;
}

/**
 * Another instance erased a subject and this one dropped `removed` of its values from L1 (the bus message,
 * invalidation/invalidator.ts): appended to this instance's audit log as an `erasure` record of its own, so each
 * instance's trail shows what it removed. Queued now; a sink failure surfaces on the log's next append.
 */
export function erasedOnRequest(core: CacheCore, tag: string, removed: number, origin: string): void {
  const audit = core.security.audit;
  const mark = subjectTierTag(core.name, '');
  if (audit === undefined || !tag.startsWith(mark)) return;
  void audit
    .append({
      action: 'erasure',
      target: tag.slice(mark.length),
      outcome: 'success',
      details: { cache: core.name, l1: removed, via: 'bus', origin },
    })
    .catch(() => undefined);
}

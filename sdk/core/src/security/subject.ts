import { hasLoneSurrogate } from '../cache/unicode.js';
import { InvalidKeyError } from '../errors.js';

/**
 * Data subjects. `set(key, value, { subject })` files the value under its subject so `eraseSubject(subject)` can
 * find it in every tier. The subject index is the tiers' own tag index (L1's in-memory tag map, Redis tag sets,
 * GCS and directory tag markers): it lives and expires with the values, is bounded by them, and survives restarts
 * as the remote tiers do; no process keeps a list of its own.
 *
 * In a stored record the subject is a reserved tag `\0subject:<subject>` (user tags cannot start with NUL), so
 * promotion and demotion carry it along like any tag. Qualified for the tiers it becomes `<cache>:#subject::<subject>`
 * for every namespace ('#' cannot occur in a namespace name), so one erasure covers all of a cache's namespaces,
 * and clearing the whole cache (prefix `<cache>:`) drops the subject index too.
 */
export const SUBJECT_TAG_MARK = '\0subject:';
export const MAX_SUBJECT_LENGTH = 256;

export function checkSubject(subject: unknown): string {
  if (
    typeof subject !== 'string' ||
    subject.length === 0 ||
    subject.length > MAX_SUBJECT_LENGTH ||
    subject.includes('\0') ||
    hasLoneSurrogate(subject)
  ) {
    throw new InvalidKeyError(
      `a data subject must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters without NUL or lone surrogates (e.g. a user id), got ${typeof subject === 'string' ? `${subject.length} characters` : typeof subject}`,
    );
  }
  return subject;
}

/** The reserved tag a record carries for its subject. */
export function subjectRecordTag(subject: string): string {
  return SUBJECT_TAG_MARK + subject;
}

/** The tag the tiers index a subject under (the same in every namespace of the cache). */
export function subjectTierTag(cacheName: string, subject: string): string {
  return `${cacheName}:#subject::${subject}`;
}

/**
 * Record tags -> tier tags: user tags get the namespace prefix, the subject tag the cache-wide subject form.
 * Returns undefined for no tags.
 */
export function qualifyTags(
  tags: readonly string[] | undefined,
  keyPrefix: string,
  cacheName: string,
): readonly string[] | undefined {
  if (tags === undefined || tags.length === 0) return undefined;
  return tags.map((t) =>
    t.charCodeAt(0) === 0 && t.startsWith(SUBJECT_TAG_MARK)
      ? subjectTierTag(cacheName, t.slice(SUBJECT_TAG_MARK.length))
      : keyPrefix + t,
  );
}

/** Adds the subject's reserved tag to the user's tags. */
export function withSubject(
  tags: readonly string[] | undefined,
  subject: string | undefined,
): readonly string[] | undefined {
  if (subject === undefined) return tags;
  const t = subjectRecordTag(subject);
  return tags === undefined ? [t] : [...tags, t];
}

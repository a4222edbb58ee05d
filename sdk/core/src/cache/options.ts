import { InvalidValueError } from '../errors.js';
import { MAX_TIMER_MS } from '../resilience/timeout.js';
import { checkSubject } from '../security/subject.js';
import type { ResolvedDefaults } from './config.js';
import { checkText, invalidTag } from './scope.js';
import type { GetOrSetOptions } from './types.js';

/** Per-call options merged with the cache defaults. */
export interface Resolved {
  ttl: number;
  grace: number;
  swr: number;
  jitter: number;
  sliding: boolean;
  soft: number;
  hard: number;
  graceBackoff: number;
  lock: boolean;
  tags: readonly string[] | undefined;
  /** The data subject (set option `subject`), see security/subject.ts. */
  subject: string | undefined;
}

/** Merges per-call options over the defaults; throws InvalidValueError / InvalidKeyError for bad input. */
export function resolveOptions(d: ResolvedDefaults, options: GetOrSetOptions | undefined): Resolved {
  const tags = options?.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags)) throw invalidTag(tags);
    for (const t of tags) {
      if (typeof t !== 'string' || t.length === 0 || t.charCodeAt(0) === 0) throw invalidTag(t);
      checkText('tag', t);
    }
  }
  const o: Resolved = {
    ttl: options?.ttl ?? d.ttl,
    grace: options?.grace ?? d.grace,
    swr: options?.staleWhileRevalidate ?? d.staleWhileRevalidate,
    jitter: options?.jitter ?? d.jitter,
    sliding: options?.sliding ?? d.sliding,
    soft: options?.softTimeout ?? d.timeouts.soft,
    hard: options?.hardTimeout ?? d.timeouts.hard,
    graceBackoff: options?.graceBackoff ?? d.graceBackoff,
    lock: options?.lock ?? true,
    tags: tags !== undefined && tags.length > 0 ? tags : undefined,
    subject: options?.subject === undefined ? undefined : checkSubject(options.subject),
  };
  if (!(o.ttl > 0) || !Number.isFinite(o.ttl)) {
    throw new InvalidValueError(`ttl must be a positive finite number of milliseconds, got ${String(o.ttl)}`);
  }
  for (const [name, v] of [
    ['grace', o.grace],
    ['staleWhileRevalidate', o.swr],
    ['softTimeout', o.soft],
    ['hardTimeout', o.hard],
    ['graceBackoff', o.graceBackoff],
  ] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new InvalidValueError(
        `${name} must be a non-negative finite number of milliseconds, got ${String(v)}`,
      );
    }
  }
  for (const [name, v] of [
    ['softTimeout', o.soft],
    ['hardTimeout', o.hard],
  ] as const) {
    if (v > MAX_TIMER_MS) {
      throw new InvalidValueError(
        `${name} ${v} ms is above ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node supports); use a shorter timeout, or 0 for none`,
      );
    }
  }
  if (!(o.jitter >= 0 && o.jitter <= 1))
    throw new InvalidValueError(`jitter must be between 0 and 1, got ${o.jitter}`);
  return o;
}

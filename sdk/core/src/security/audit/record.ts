import { createHash } from 'node:crypto';
import { type CanonicalValue, canonicalJson } from './canonical.js';

/** What gets audited. */
export const AUDIT_ACTIONS = [
  'key.rotate',
  'key.retire',
  'access.denied',
  'decrypt.failed',
  'erasure',
  'clear',
  'config.change',
  'pii.rejected',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The prev hash of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit record as written (one JSON line) and hashed. */
export interface AuditRecord {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  /** ISO 8601 UTC time of the append call. */
  time: string;
  actor: string;
  action: AuditAction;
  target: string;
  outcome: AuditOutcome;
  details: { readonly [key: string]: CanonicalValue };
  /** Hash of the previous record (GENESIS_HASH for seq 1). */
  prev: string;
  /** SHA-256 (hex) over the canonical JSON of every field above. */
  hash: string;
}

export type UnsignedRecord = Omit<AuditRecord, 'hash'>;

export function hashRecord(r: UnsignedRecord): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        seq: r.seq,
        time: r.time,
        actor: r.actor,
        action: r.action,
        target: r.target,
        outcome: r.outcome,
        details: r.details,
        prev: r.prev,
      }),
    )
    .digest('hex');
}

/** A parsed line, checked for shape only (the hash is checked by the verifier). */
export function parseRecord(line: string): AuditRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const hex = (x: unknown) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
  if (
    typeof r.seq !== 'number' ||
    !Number.isSafeInteger(r.seq) ||
    r.seq < 1 ||
    typeof r.time !== 'string' ||
    typeof r.actor !== 'string' ||
    typeof r.action !== 'string' ||
    typeof r.target !== 'string' ||
    typeof r.outcome !== 'string' ||
    typeof r.details !== 'object' ||
    r.details === null ||
    Array.isArray(r.details) ||
    !hex(r.prev) ||
    !hex(r.hash)
  ) {
    return undefined;
  }
  return r as unknown as AuditRecord;
}

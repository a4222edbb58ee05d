import { AuditLogError, ConfigError } from '../../errors.js';
import type { PiiRedactor } from '../pii/redactor.js';
import type { CanonicalValue } from './canonical.js';
import { canonicalJson } from './canonical.js';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditOutcome,
  type AuditRecord,
  GENESIS_HASH,
  hashRecord,
} from './record.js';
import type { AuditSink } from './sink.js';

export interface AuditEntry {
  action: AuditAction;
  /** What the action was about (a key, a namespace, a subject, a key id). */
  target: string;
  outcome: AuditOutcome;
  /** Who: defaults to the log's actor. */
  actor?: string;
  details?: { readonly [key: string]: CanonicalValue };
}

export interface AuditLogOptions {
  /** At least one sink; the first durable one (a file) decides where the chain continues after a restart. */
  sinks: readonly AuditSink[];
  /** Default actor (service or instance name). Default 'omnicache'. */
  actor?: string;
  /** Redacts PII in target, actor and string details before they are hashed and written. */
  redactor?: PiiRedactor;
  /**
   * Largest record accepted, in bytes of its actor, target and details as stored (default 512 KiB, under Kafka's
   * default 1 MB message limit). A larger append rejects with AuditLogError and takes no sequence number.
   */
  maxRecordBytes?: number;
}

const DEFAULT_MAX_RECORD_BYTES = 512 * 1024;

/**
 * The tamper-evident audit chain: every record carries the SHA-256 of the previous one. `append` assigns the
 * sequence number synchronously (records are chained in call order) and resolves when every sink has acknowledged
 * it (for the JSONL sink: after fdatasync).
 */
export class AuditLog {
  readonly #sinks: readonly AuditSink[];
  readonly #actor: string;
  readonly #redactor: PiiRedactor | undefined;
  readonly #maxRecordBytes: number;
  #seq: number;
  #prev: string;
  #closed = false;

  private constructor(options: AuditLogOptions, last: { seq: number; hash: string } | undefined) {
    this.#sinks = options.sinks;
    this.#actor = options.actor ?? 'omnicache';
    this.#redactor = options.redactor;
    this.#maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.#seq = last?.seq ?? 0;
    this.#prev = last?.hash ?? GENESIS_HASH;
  }

  /** Opens every sink (repairing a torn tail) and continues the chain from the last durable record. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    if (!Array.isArray(options?.sinks) || options.sinks.length === 0) {
      throw new ConfigError('an audit log needs at least one sink, e.g. jsonlAuditSink({ path })');
    }
    let last: { seq: number; hash: string } | undefined;
    for (const s of options.sinks) {
      const l = await s.open();
      if (last === undefined && l !== undefined) last = l;
    }
    return new AuditLog(options, last);
  }

  /** Sequence number of the last record appended (0 when none). */
  get lastSeq(): number {
    return this.#seq;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.#closed) return Promise.reject(new AuditLogError('the audit log is closed'));
    let record: AuditRecord;
    try {
      for (const s of this.#sinks) s.checkCapacity?.(1);
      record = this.#next(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    const writes = this.#sinks.map((s) => s.write([record]));
    return (writes.length === 1 ? writes[0]! : Promise.all(writes)).then(() => record);
  }

  #next(entry: AuditEntry): AuditRecord {
    if (!AUDIT_ACTIONS.includes(entry?.action)) {
      throw new ConfigError(
        `unknown audit action "${String(entry?.action)}"; use one of ${AUDIT_ACTIONS.join(', ')}`,
      );
    }
    if (!AUDIT_OUTCOMES.includes(entry.outcome)) {
      throw new ConfigError(
        `unknown audit outcome "${String(entry.outcome)}"; use one of ${AUDIT_OUTCOMES.join(', ')}`,
      );
    }
    if (typeof entry.target !== 'string') throw new ConfigError('audit target must be a string');
    const r = this.#redactor;
    const details = entry.details ?? {};
    // Validate before the sequence number is taken: a bad entry must not leave a gap.
    const detailsJson = canonicalJson(details);
    const unsigned = {
      seq: this.#seq + 1,
      time: new Date().toISOString(),
      actor: r ? r.redact(entry.actor ?? this.#actor) : (entry.actor ?? this.#actor),
      action: entry.action,
      target: r ? r.redact(entry.target) : entry.target,
      outcome: entry.outcome,
      details: r ? r.redactValue(details) : details,
      prev: this.#prev,
    };
    const bytes =
      Buffer.byteLength(r ? canonicalJson(unsigned.details) : detailsJson) +
      Buffer.byteLength(unsigned.target) +
      Buffer.byteLength(unsigned.actor);
    if (bytes > this.#maxRecordBytes) {
      throw new AuditLogError(
        `audit record for "${entry.action}" on "${unsigned.target.slice(0, 80)}" is ${bytes} bytes, over maxRecordBytes (${this.#maxRecordBytes}): keep details small (record a reference or a digest of large data), or raise maxRecordBytes within your sinks' limits (Kafka: max.message.bytes)`,
      );
    }
    const record: AuditRecord = { ...unsigned, hash: hashRecord(unsigned) };
    this.#seq = record.seq;
    this.#prev = record.hash;
    return record;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#sinks.map((s) => s.close()));
  }
}

export function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  return AuditLog.open(options);
}

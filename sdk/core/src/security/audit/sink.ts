import type { AuditRecord } from './record.js';

/** Where the chain ends up. A sink receives records in sequence order, each exactly once per write call. */
export interface AuditSink {
  /** Short name for errors (`jsonl:/var/log/audit.jsonl`, `otel-logs`). */
  readonly name: string;
  /**
   * Opens the sink; a durable sink returns the last record it holds (after repairing a torn tail), from which the
   * chain continues. Called once, before the first write.
   */
  open(): Promise<{ seq: number; hash: string } | undefined>;
  /**
   * Throws (AuditLogError) when the sink cannot take `count` more records now (backlog full, failed earlier). The
   * log asks every sink before it chains a record, so a refused append takes no sequence number.
   */
  checkCapacity?(count: number): void;
  /** Resolves once the records are durable in this sink (acknowledged); rejects when they may not be. */
  write(records: readonly AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

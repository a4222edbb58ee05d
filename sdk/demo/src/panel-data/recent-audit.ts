// An audit sink that keeps the most recent records in memory (bounded), for the panel's audit view: the demo's
// audit log writes to a JSONL file and to this sink; the page reads the records as the view expects them.
import type { AuditRecord, AuditSink } from 'omnicache';

/** A record as the panel's audit view reads it (grafana-plugin/src/transforms/audit.ts). */
export interface PanelAuditRecord {
  sequence: number;
  /** Epoch ms. */
  time: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  prevHash: string;
  hash: string;
}

export class RecentAuditRecords implements AuditSink {
  readonly name = 'recent-in-memory';
  readonly #records: AuditRecord[] = [];
  constructor(readonly capacity = 200) {}

  async open(): Promise<undefined> {
    return undefined;
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    for (const r of records) {
      this.#records.push(r);
      if (this.#records.length > this.capacity) this.#records.shift();
    }
  }

  async close(): Promise<void> {}

  /** The kept records, oldest first, in the panel's field names. */
  panelRecords(): PanelAuditRecord[] {
    return this.#records.map((r) => ({
      sequence: r.seq,
      time: Date.parse(r.time),
      actor: r.actor,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      prevHash: r.prev,
      hash: r.hash,
    }));
  }
}

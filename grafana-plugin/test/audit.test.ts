import { createDataFrame, DataFrameType, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  auditRecords,
  auditTimeline,
  chainStatus,
  distinct,
  filterAudit,
  missingAuditFields,
} from '../src/transforms/audit.js';
import { sampleAuditRecords } from './audit-records.js';
import { T0 } from './frames.js';

function frame(records: readonly AuditRecord[], timeAsString = false) {
  return createDataFrame({
    fields: [
      { name: 'sequence', type: FieldType.number, values: records.map((r) => r.sequence) },
      timeAsString
        ? { name: 'time', type: FieldType.string, values: records.map((r) => new Date(r.time).toISOString()) }
        : { name: 'time', type: FieldType.time, values: records.map((r) => r.time) },
      { name: 'actor', type: FieldType.string, values: records.map((r) => r.actor) },
      { name: 'action', type: FieldType.string, values: records.map((r) => r.action) },
      { name: 'target', type: FieldType.string, values: records.map((r) => r.target) },
      { name: 'outcome', type: FieldType.string, values: records.map((r) => r.outcome) },
      { name: 'prev_hash', type: FieldType.string, values: records.map((r) => r.prevHash) },
      { name: 'hash', type: FieldType.string, values: records.map((r) => r.hash) },
    ],
  });
}

describe('audit records', () => {
  const records = sampleAuditRecords(20, T0);
  it('reads table frames (time as time or ISO string, prev_hash or prevHash) ordered by sequence', () => {
    expect(auditRecords([frame([...records].reverse())])).toEqual(records);
    expect(auditRecords([frame(records, true)])).toEqual(records);
    expect(missingAuditFields([frame(records)])).toEqual([]);
  });
  it('reads log frames whose lines are JSON audit records (other lines skipped)', () => {
    const lines = [
      ...records.map((r) => JSON.stringify({ ...r, time: new Date(r.time).toISOString() })),
      'not json',
      '{"a":1}',
    ];
    const log = createDataFrame({
      meta: { type: DataFrameType.LogLines },
      fields: [
        { name: 'timestamp', type: FieldType.time, values: lines.map((_, i) => T0 + i) },
        { name: 'body', type: FieldType.string, values: lines },
      ],
    });
    expect(missingAuditFields([log])).toEqual([]);
    expect(auditRecords([log])).toEqual(records);
    const partial = createDataFrame({
      fields: [{ name: 'body', type: FieldType.string, values: ['{"action":"erase"}'] }],
    });
    expect(missingAuditFields([partial])).toEqual([
      'sequence',
      'time',
      'actor',
      'target',
      'outcome',
      'prevHash',
      'hash',
    ]);
  });
  it('names the fields a frame lacks', () => {
    const f = createDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [T0] },
        { name: 'action', values: ['x'] },
      ],
    });
    expect(missingAuditFields([f])).toEqual(['sequence', 'actor', 'target', 'outcome', 'prevHash', 'hash']);
    expect(auditRecords([f])).toEqual([]);
  });
  it('chain status: linked, or where and why it breaks', () => {
    expect(chainStatus([])).toEqual({ state: 'empty' });
    expect(chainStatus(records)).toEqual({ state: 'linked', count: 20, first: 1, last: 20 });
    const tampered = records.map((r) => (r.sequence === 7 ? { ...r, prevHash: 'f'.repeat(64) } : r));
    expect(chainStatus(tampered)).toEqual({ state: 'broken', at: 7, reason: 'hash-mismatch' });
    expect(chainStatus(records.filter((r) => r.sequence !== 5))).toEqual({
      state: 'broken',
      at: 6,
      reason: 'sequence-gap',
    });
    expect(chainStatus([records[0]!, records[0]!])).toEqual({
      state: 'broken',
      at: 1,
      reason: 'duplicate-sequence',
    });
  });
  it('filters by action and outcome; lists the choices', () => {
    const actions = distinct(records, 'action');
    expect(actions.length).toBeGreaterThan(1);
    const first = actions[0]!;
    expect(filterAudit(records, { actions: [first] }).every((r) => r.action === first)).toBe(true);
    expect(filterAudit(records, { outcomes: ['denied'] }).every((r) => r.outcome === 'denied')).toBe(true);
    expect(filterAudit(records, {})).toHaveLength(20);
  });
  it('timeline counts each record once, per outcome', () => {
    const b = auditTimeline(records, T0, T0 + 20 * 60_000, 4);
    expect(b).toHaveLength(4);
    const total = b.reduce((n, x) => n + Object.values(x.byOutcome).reduce((a, c) => a + c, 0), 0);
    expect(total).toBe(20);
    expect(auditTimeline(records, T0, T0, 4)).toEqual([]);
  });
});

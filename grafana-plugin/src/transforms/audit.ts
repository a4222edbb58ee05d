// Audit events view model: records from a table or log frame (fields sequence, time, actor, action, target,
// outcome, prevHash, hash, as the SDK's audit record defines them), the chain status, filters and a timeline.
import { type DataFrame, FieldType } from '@grafana/data';

export interface AuditRecord {
  readonly sequence: number;
  /** Epoch ms. */
  readonly time: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
  readonly prevHash: string;
  readonly hash: string;
}

export const AUDIT_FIELDS = [
  'sequence',
  'time',
  'actor',
  'action',
  'target',
  'outcome',
  'prevHash',
  'hash',
] as const;

/** Accepted spellings of each field (log frames from JSON APIs often use snake case). */
const FIELD_ALIASES: Readonly<Record<(typeof AUDIT_FIELDS)[number], readonly string[]>> = {
  sequence: ['sequence', 'seq'],
  time: ['time', 'timestamp', 'ts'],
  actor: ['actor'],
  action: ['action'],
  target: ['target'],
  outcome: ['outcome'],
  prevHash: ['prevHash', 'prev_hash', 'previousHash'],
  hash: ['hash'],
};

export type ChainStatus =
  | { readonly state: 'empty' }
  | { readonly state: 'linked'; readonly count: number; readonly first: number; readonly last: number }
  | {
      readonly state: 'broken';
      /** Sequence of the first record whose link (or sequence number) does not follow its predecessor. */
      readonly at: number;
      readonly reason: 'sequence-gap' | 'hash-mismatch' | 'duplicate-sequence';
    };

export interface AuditFilter {
  /** Empty = all. */
  readonly actions?: readonly string[];
  readonly outcomes?: readonly string[];
}

export interface AuditTimelineBucket {
  readonly start: number;
  readonly end: number;
  readonly byOutcome: Readonly<Record<string, number>>;
}

function at(values: { get(i: number): unknown } | readonly unknown[], i: number): unknown {
  return Array.isArray(values) ? values[i] : (values as { get(i: number): unknown }).get(i);
}

function toTime(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (v instanceof Date) return v.getTime();
  return Number.NaN;
}

type AuditField = (typeof AUDIT_FIELDS)[number];

/** Names of the line field in log frames (Grafana's logs data frame: `body`; Loki and older frames: `Line`). */
const LOG_LINE_FIELDS = ['body', 'line', 'Line'];

function record(get: (k: AuditField) => unknown, timeIsEpoch: boolean): AuditRecord {
  const str = (k: AuditField) => String(get(k) ?? '');
  return {
    sequence: Number(get('sequence')),
    time: timeIsEpoch ? Number(get('time')) : toTime(get('time')),
    actor: str('actor'),
    action: str('action'),
    target: str('target'),
    outcome: str('outcome'),
    prevHash: str('prevHash'),
    hash: str('hash'),
  };
}

function fromObject(o: Record<string, unknown>, k: AuditField): unknown {
  for (const a of FIELD_ALIASES[k]) if (a in o) return o[a];
  return undefined;
}

/** The JSON object on each line of a log frame (lines that are not JSON objects are skipped). */
function logLines(frame: DataFrame): Record<string, unknown>[] {
  const line = frame.fields.find((f) => LOG_LINE_FIELDS.includes(f.name) && f.type === FieldType.string);
  if (!line) return [];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < frame.length; i++) {
    const text = at(line.values, i);
    if (typeof text !== 'string' || !text.trimStart().startsWith('{')) continue;
    try {
      const o = JSON.parse(text) as unknown;
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) out.push(o as Record<string, unknown>);
    } catch {
      // not JSON: not an audit record
    }
  }
  return out;
}

/** Audit fields a frame lacks: as fields of a table frame, else as keys of the JSON lines of a log frame. */
function lacking(frame: DataFrame): AuditField[] {
  const names = new Set(frame.fields.map((f) => f.name));
  const asTable = AUDIT_FIELDS.filter((k) => !FIELD_ALIASES[k].some((a) => names.has(a)));
  const first = asTable.length === 0 ? undefined : logLines(frame)[0];
  if (!first) return asTable;
  const asLog = AUDIT_FIELDS.filter((k) => fromObject(first, k) === undefined);
  return asLog.length < asTable.length ? asLog : asTable;
}

/** Audit fields the frames lack (empty when at least one frame has them all). */
export function missingAuditFields(frames: readonly DataFrame[]): string[] {
  let best: string[] = [...AUDIT_FIELDS];
  for (const frame of frames) {
    const l = lacking(frame);
    if (l.length < best.length) best = l;
  }
  return best;
}

/**
 * Records of every frame that carries all audit fields, ordered by sequence: table frames (one field per audit
 * field) and log frames whose lines are JSON audit records.
 */
export function auditRecords(frames: readonly DataFrame[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const frame of frames) {
    const fields = new Map(
      AUDIT_FIELDS.map((k) => [k, frame.fields.find((f) => FIELD_ALIASES[k].includes(f.name))] as const),
    );
    if (AUDIT_FIELDS.every((k) => fields.get(k) !== undefined)) {
      const epoch = fields.get('time')!.type === FieldType.time;
      for (let i = 0; i < frame.length; i++) out.push(record((k) => at(fields.get(k)!.values, i), epoch));
      continue;
    }
    for (const o of logLines(frame)) {
      if (AUDIT_FIELDS.some((k) => fromObject(o, k) === undefined)) continue;
      out.push(record((k) => fromObject(o, k), false));
    }
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}

/**
 * Checks the links of the chain the records show: consecutive sequence numbers and each record's prevHash equal to
 * its predecessor's hash. (Recomputing each hash needs the SDK's canonical encoding; the panel checks the links.)
 */
export function chainStatus(records: readonly AuditRecord[]): ChainStatus {
  if (records.length === 0) return { state: 'empty' };
  for (let i = 1; i < records.length; i++) {
    const prev = records[i - 1]!;
    const cur = records[i]!;
    if (cur.sequence === prev.sequence)
      return { state: 'broken', at: cur.sequence, reason: 'duplicate-sequence' };
    if (cur.sequence !== prev.sequence + 1)
      return { state: 'broken', at: cur.sequence, reason: 'sequence-gap' };
    if (cur.prevHash !== prev.hash) return { state: 'broken', at: cur.sequence, reason: 'hash-mismatch' };
  }
  return {
    state: 'linked',
    count: records.length,
    first: records[0]!.sequence,
    last: records[records.length - 1]!.sequence,
  };
}

export function filterAudit(records: readonly AuditRecord[], filter: AuditFilter): AuditRecord[] {
  const actions = filter.actions && filter.actions.length > 0 ? new Set(filter.actions) : undefined;
  const outcomes = filter.outcomes && filter.outcomes.length > 0 ? new Set(filter.outcomes) : undefined;
  return records.filter((r) => (!actions || actions.has(r.action)) && (!outcomes || outcomes.has(r.outcome)));
}

/** Distinct values of a field, sorted (the filter choices). */
export function distinct(records: readonly AuditRecord[], key: 'action' | 'outcome' | 'actor'): string[] {
  return [...new Set(records.map((r) => r[key]))].sort();
}

/** Counts per outcome in `buckets` equal slices of [from, to]. */
export function auditTimeline(
  records: readonly AuditRecord[],
  from: number,
  to: number,
  buckets: number,
): AuditTimelineBucket[] {
  if (!(buckets >= 1) || !(to > from)) return [];
  const width = (to - from) / buckets;
  const out = Array.from({ length: buckets }, (_, i) => ({
    start: from + i * width,
    end: from + (i + 1) * width,
    byOutcome: {} as Record<string, number>,
  }));
  for (const r of records) {
    if (r.time < from || r.time > to) continue;
    const idx = Math.min(buckets - 1, Math.floor((r.time - from) / width));
    const b = out[idx]!;
    b.byOutcome[r.outcome] = (b.byOutcome[r.outcome] ?? 0) + 1;
  }
  return out;
}

import { type AuditCheckpoint, type CheckpointKey, parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { type AuditRecord, GENESIS_HASH, hashRecord, parseRecord } from './record.js';

export const TAMPER_KINDS = ['modification', 'deletion', 'insertion', 'reordering', 'truncation'] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];

export interface AuditProblem {
  kind: TamperKind;
  /** 1-based line in the log file (for a checkpoint problem: the line in the checkpoint file). */
  line: number;
  /** Sequence number concerned, when known. */
  seq?: number;
  message: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  records: number;
  lastSeq: number;
  checkpointsChecked: number;
  /** Problems in file order; the first is the first broken record. */
  problems: AuditProblem[];
}

export interface AuditVerifyOptions {
  /** Contents of the checkpoint file (one JSON checkpoint per line). */
  checkpoints?: string;
  /** Key to check checkpoint signatures with (HMAC secret or Ed25519 public key). Required with checkpoints. */
  key?: CheckpointKey;
}

interface Line {
  line: number;
  rec: AuditRecord;
  hashOk: boolean;
}

/**
 * Verifies a JSONL audit chain and classifies what broke it:
 * - modification: a record whose content no longer matches its hash, or whose hash was recomputed (the next record
 *   no longer links to it), or a line that is not a record, or a checkpoint that names another hash;
 * - deletion: records missing (a gap in sequence numbers, or a chain that does not start at 1);
 * - insertion: a record the chain skips over (its neighbours link to each other) or a repeated sequence number;
 * - reordering: every record present exactly once and intact, but not in sequence order;
 * - truncation: a torn last line, or records missing from the end (only detectable with signed checkpoints).
 */
export function verifyAuditLog(text: string, options: AuditVerifyOptions = {}): AuditVerifyReport {
  const problems: AuditProblem[] = [];
  const rawLines = text.split('\n');
  const torn = rawLines[rawLines.length - 1] !== '';
  if (!torn) rawLines.pop();
  const lines: Line[] = [];
  rawLines.forEach((raw, i) => {
    const rec = parseRecord(raw);
    if (rec === undefined) {
      if (torn && i === rawLines.length - 1) {
        problems.push({
          kind: 'truncation',
          line: i + 1,
          message: 'the last line is torn (incomplete write); reopening the log repairs it',
        });
      } else {
        problems.push({ kind: 'modification', line: i + 1, message: 'line is not an audit record' });
      }
      return;
    }
    const hashOk = hashRecord(rec) === rec.hash;
    if (!hashOk) {
      problems.push({
        kind: 'modification',
        line: i + 1,
        seq: rec.seq,
        message: `record ${rec.seq} does not match its hash (its content was changed)`,
      });
    }
    lines.push({ line: i + 1, rec, hashOk });
  });

  if (!reordered(lines, problems)) walk(lines, problems);

  let checkpointsChecked = 0;
  const lastSeq = lines.reduce((m, l) => Math.max(m, l.rec.seq), 0);
  if (options.checkpoints !== undefined) {
    const bySeq = new Map(lines.map((l) => [l.rec.seq, l]));
    options.checkpoints.split('\n').forEach((raw, i) => {
      if (raw === '') return;
      const c: AuditCheckpoint | undefined = parseCheckpoint(raw);
      if (c === undefined || options.key === undefined || !verifyCheckpoint(c, options.key)) {
        problems.push({
          kind: 'modification',
          line: i + 1,
          message:
            options.key === undefined
              ? 'checkpoints given without a key to verify them'
              : `checkpoint line ${i + 1} is malformed or its signature does not verify with the given key`,
        });
        return;
      }
      checkpointsChecked++;
      const at = bySeq.get(c.seq);
      if (at === undefined) {
        if (c.seq > lastSeq) {
          problems.push({
            kind: 'truncation',
            line: rawLines.length,
            seq: c.seq,
            message: `a signed checkpoint (checkpoint line ${i + 1}) covers record ${c.seq} but the log ends at ${lastSeq}: records were removed from the end`,
          });
        }
        return;
      }
      if (at.rec.hash !== c.hash) {
        problems.push({
          kind: 'modification',
          line: at.line,
          seq: c.seq,
          message: `record ${c.seq} differs from the signed checkpoint (checkpoint line ${i + 1})`,
        });
      }
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: problems.length === 0, records: lines.length, lastSeq, checkpointsChecked, problems };
}

/** Every record intact and present once, chain valid in sequence order, but the file order differs. */
function reordered(lines: readonly Line[], problems: AuditProblem[]): boolean {
  if (lines.length < 2 || lines.some((l) => !l.hashOk)) return false;
  let inOrder = true;
  for (let i = 1; i < lines.length; i++) if (lines[i]!.rec.seq <= lines[i - 1]!.rec.seq) inOrder = false;
  if (inOrder) return false;
  const sorted = [...lines].sort((a, b) => a.rec.seq - b.rec.seq);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!.rec;
    const b = sorted[i]!.rec;
    if (b.seq !== a.seq + 1 || b.prev !== a.hash) return false;
  }
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== sorted[i]) {
      problems.push({
        kind: 'reordering',
        line: lines[i]!.line,
        seq: lines[i]!.rec.seq,
        message: `record ${lines[i]!.rec.seq} is where record ${sorted[i]!.rec.seq} belongs: records were reordered`,
      });
      return true;
    }
  }
  return true;
}

function walk(lines: readonly Line[], problems: AuditProblem[]): void {
  const first = lines[0];
  if (first === undefined) return;
  if (first.rec.seq !== 1 || first.rec.prev !== GENESIS_HASH) {
    const linksToNext = lines[1]?.rec.prev === GENESIS_HASH && lines[1]?.rec.seq === 1;
    problems.push(
      linksToNext
        ? {
            kind: 'insertion',
            line: first.line,
            seq: first.rec.seq,
            message: `record ${first.rec.seq} was inserted before the first record`,
          }
        : {
            kind: 'deletion',
            line: first.line,
            seq: first.rec.seq,
            message: `the chain starts at record ${first.rec.seq}: records 1..${first.rec.seq - 1} were deleted`,
          },
    );
  }
  let prev = first;
  for (let i = 1; i < lines.length; i++) {
    const cur = lines[i]!;
    const a = prev.rec;
    const b = cur.rec;
    if (b.seq === a.seq + 1 && b.prev === a.hash) {
      prev = cur;
      continue;
    }
    const next = lines[i + 1]?.rec;
    if (b.seq === a.seq && b.prev === a.prev && next !== undefined && next.prev === b.hash) {
      // Two records claim the same place; the chain continues from this one, so the previous one was slipped in.
      problems.push({
        kind: 'insertion',
        line: prev.line,
        seq: a.seq,
        message: `record at line ${prev.line} (seq ${a.seq}) is not part of the chain: the next record links past it`,
      });
      prev = cur;
      continue;
    }
    const skippedOver = next !== undefined && next.prev === a.hash && next.seq === a.seq + 1;
    if (skippedOver || b.seq <= a.seq) {
      problems.push({
        kind: 'insertion',
        line: cur.line,
        seq: b.seq,
        message: skippedOver
          ? `record at line ${cur.line} (seq ${b.seq}) is not part of the chain: the records around it link to each other`
          : `sequence number ${b.seq} repeats or goes back after ${a.seq}: a record was inserted`,
      });
      continue; // keep `prev`: the chain continues from the record before the insertion
    }
    if (b.seq > a.seq + 1) {
      problems.push({
        kind: 'deletion',
        line: cur.line,
        seq: b.seq,
        message: `records ${a.seq + 1}..${b.seq - 1} are missing before line ${cur.line}`,
      });
    } else if (prev.hashOk && cur.hashOk) {
      // seq fits but the link does not: the previous record was changed and its hash recomputed.
      problems.push({
        kind: 'modification',
        line: prev.line,
        seq: a.seq,
        message: `record ${a.seq} was changed and re-hashed: record ${b.seq} does not link to it`,
      });
    }
    prev = cur;
  }
}

// A hash-chained audit log in the record format of the issue (sequence, time, actor, action, target, outcome,
// prev hash, hash): SHA-256 over the previous hash and the record's fields. The SDK's own audit module (another
// issue) defines the canonical encoding; the panel only checks the links, so any chained hash serves here.
import { createHash } from 'node:crypto';
import type { AuditRecord } from '../src/transforms/audit.js';

const ACTIONS = ['key.rotate', 'erase', 'policy.change', 'read.denied'] as const;
const OUTCOMES = ['success', 'success', 'denied', 'error'] as const;

export function sampleAuditRecords(n: number, start: number, stepMs = 60_000): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prevHash = '0'.repeat(64);
  for (let i = 0; i < n; i++) {
    const r = {
      sequence: i + 1,
      time: start + i * stepMs,
      actor: i % 3 === 0 ? 'ops@example.com' : 'svc-orders',
      action: ACTIONS[i % ACTIONS.length]!,
      target: `users:${1000 + i}`,
      outcome: OUTCOMES[(i + (i >> 2)) % OUTCOMES.length]!,
      prevHash,
    };
    const hash = createHash('sha256').update(JSON.stringify(r)).digest('hex');
    out.push({ ...r, hash });
    prevHash = hash;
  }
  return out;
}

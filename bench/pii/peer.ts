/**
 * Peer comparison on the same corpus: @redactpii/node (a zero-dependency regex redactor, the maintained fork of the
 * widely used redact-pii) against omnicache's redactor restricted to the types both cover (email, phone,
 * credit_card, us_ssn). The peer reports no spans, so both are scored at the value level: a labelled value counts
 * as caught when it no longer appears in the redacted text, and a record without PII counts as damaged when the
 * redactor changed it.
 */
import { Redactor } from '@redactpii/node';
import { createPiiRedactor, createPiiScanner, type PiiType } from 'omnicache';
import { phoneDetector } from 'omnicache/pii-phone';
import type { CorpusRecord } from '../../test/pii/corpus-generator.js';

export const SHARED_TYPES: readonly PiiType[] = ['email', 'phone', 'credit_card', 'us_ssn'];

export interface ValueLevelScore {
  tool: string;
  caught: Record<string, { labelled: number; caught: number; recall: number }>;
  negativeRecords: number;
  damagedNegativeRecords: number;
}

export function redactors(): { name: string; redact: (t: string) => string }[] {
  const peer = new Redactor({
    rules: { CREDIT_CARD: true, EMAIL: true, PHONE: true, SSN: true, NAME: false },
  });
  const ours = createPiiRedactor({
    key: 'bench-key-0123456789abcdef',
    scanner: createPiiScanner({ types: SHARED_TYPES, phone: phoneDetector() }),
  });
  return [
    { name: 'omnicache (4 shared types)', redact: (t) => ours.redact(t) },
    { name: '@redactpii/node 1.0.17', redact: (t) => peer.redact(t) },
  ];
}

export function valueLevel(
  name: string,
  redact: (t: string) => string,
  corpus: readonly CorpusRecord[],
): ValueLevelScore {
  const caught: ValueLevelScore['caught'] = {};
  for (const t of SHARED_TYPES) caught[t] = { labelled: 0, caught: 0, recall: 0 };
  let negativeRecords = 0;
  let damaged = 0;
  for (const rec of corpus) {
    const out = redact(rec.text);
    if (rec.findings.length === 0) {
      negativeRecords++;
      if (out !== rec.text) damaged++;
      continue;
    }
    for (const f of rec.findings) {
      const c = caught[f.type];
      if (c === undefined) continue;
      c.labelled++;
      if (!out.includes(rec.text.slice(f.start, f.end))) c.caught++;
    }
  }
  for (const c of Object.values(caught)) c.recall = c.labelled === 0 ? 1 : c.caught / c.labelled;
  return { tool: name, caught, negativeRecords, damagedNegativeRecords: damaged };
}

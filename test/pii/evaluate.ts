/** Scores a PII scanner against the labelled corpus: exact-span matches per type (type, start, end all equal). */
import { readFileSync } from 'node:fs';
import { PII_TYPES, type PiiFinding, type PiiScanner, type PiiType } from 'omnicache';
import type { CorpusRecord } from './corpus-generator.js';

export const CORPUS_PATH = new URL('./pii-corpus.jsonl', import.meta.url);

export function readCorpus(path: URL = CORPUS_PATH): CorpusRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as CorpusRecord);
}

export interface TypeScore {
  type: PiiType | 'overall';
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface Mistake {
  line: number;
  kind: 'false-positive' | 'false-negative';
  type: PiiType;
  value: string;
  text: string;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

export function evaluate(
  scanner: PiiScanner,
  corpus: readonly CorpusRecord[],
): { scores: TypeScore[]; mistakes: Mistake[] } {
  const counts = new Map<PiiType, { tp: number; fp: number; fn: number }>(
    PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]),
  );
  const mistakes: Mistake[] = [];
  const key = (f: PiiFinding) => `${f.type}:${f.start}:${f.end}`;
  corpus.forEach((rec, i) => {
    const found = scanner.scan(rec.text);
    const expected = new Set(rec.findings.map(key));
    const got = new Set(found.map(key));
    for (const f of found) {
      const c = counts.get(f.type)!;
      if (expected.has(key(f))) c.tp++;
      else {
        c.fp++;
        mistakes.push({
          line: i + 1,
          kind: 'false-positive',
          type: f.type,
          value: rec.text.slice(f.start, f.end),
          text: rec.text,
        });
      }
    }
    for (const f of rec.findings) {
      if (got.has(key(f))) continue;
      counts.get(f.type)!.fn++;
      mistakes.push({
        line: i + 1,
        kind: 'false-negative',
        type: f.type,
        value: rec.text.slice(f.start, f.end),
        text: rec.text,
      });
    }
  });
  const scores: TypeScore[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [type, c] of counts) {
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    scores.push(score(type, c.tp, c.fp, c.fn));
  }
  scores.push(score('overall', tp, fp, fn));
  return { scores, mistakes };
}

function score(type: TypeScore['type'], tp: number, fp: number, fn: number): TypeScore {
  return {
    type,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
  };
}

import { readFileSync } from 'node:fs';
import { createPiiScanner, PII_TYPES } from 'omnicache';
import { phoneDetector } from 'omnicache/pii-phone';
import { describe, expect, it } from 'vitest';
import { CORPUS_SEED, CORPUS_SIZE, corpusToJsonl, generateCorpus } from './corpus-generator.js';
import { CORPUS_PATH, evaluate, readCorpus } from './evaluate.js';

// The same targets `npm run bench -- pii` reports against (issue 10).
const OVERALL_PRECISION = 0.98;
const OVERALL_RECALL = 0.95;
const PER_TYPE = 0.9;

describe('labelled PII corpus', () => {
  it('is the seeded generator output, >= 2000 records, every type present, labels pointing at real text', () => {
    const committed = readFileSync(CORPUS_PATH, 'utf8');
    expect(committed).toBe(corpusToJsonl(generateCorpus(CORPUS_SEED, CORPUS_SIZE)));
    const corpus = readCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(2000);
    const perType = new Map<string, number>();
    for (const r of corpus) {
      for (const f of r.findings) {
        expect(f.end).toBeLessThanOrEqual(r.text.length);
        expect(r.text.slice(f.start, f.end).trim()).toBe(r.text.slice(f.start, f.end));
        perType.set(f.type, (perType.get(f.type) ?? 0) + 1);
      }
    }
    for (const t of PII_TYPES) expect(perType.get(t) ?? 0, t).toBeGreaterThanOrEqual(200);
    expect(corpus.filter((r) => r.findings.length === 0).length).toBeGreaterThanOrEqual(700);
  });

  for (const [label, corpus] of [
    ['committed corpus', () => readCorpus()],
    ['held-out corpus (another seed)', () => generateCorpus(CORPUS_SEED + 1)],
  ] as const) {
    it(`meets the precision/recall targets on the ${label}`, () => {
      const { scores, mistakes } = evaluate(createPiiScanner({ phone: phoneDetector() }), corpus());
      const overall = scores.find((s) => s.type === 'overall')!;
      const context = JSON.stringify(mistakes.slice(0, 5));
      expect(overall.precision, context).toBeGreaterThanOrEqual(OVERALL_PRECISION);
      expect(overall.recall, context).toBeGreaterThanOrEqual(OVERALL_RECALL);
      for (const s of scores) {
        expect(s.precision, `${s.type} precision`).toBeGreaterThanOrEqual(PER_TYPE);
        expect(s.recall, `${s.type} recall`).toBeGreaterThanOrEqual(PER_TYPE);
      }
    });
  }

  it("reports the same findings with the compiled phone engine as with libphonenumber-js's own parse", () => {
    const compiled = createPiiScanner({ phone: phoneDetector({ cacheSize: 0 }) });
    const reference = createPiiScanner({ phone: phoneDetector({ cacheSize: 0, engine: 'libphonenumber' }) });
    let phones = 0;
    for (const r of [...readCorpus(), ...generateCorpus(CORPUS_SEED + 1)]) {
      const expected = reference.scan(r.text);
      phones += expected.filter((f) => f.type === 'phone').length;
      expect(compiled.scan(r.text), r.text).toEqual(expected);
    }
    expect(phones).toBeGreaterThan(700);
  });
});

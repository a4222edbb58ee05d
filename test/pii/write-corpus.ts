/** Writes test/pii/pii-corpus.jsonl from the seeded generator. */
import { writeFileSync } from 'node:fs';
import { corpusToJsonl, generateCorpus } from './corpus-generator.js';

const out = new URL('./pii-corpus.jsonl', import.meta.url);
writeFileSync(out, corpusToJsonl(generateCorpus()));
process.stdout.write(`wrote ${out.pathname}\n`);

/**
 * `npm run bench -- pii`: precision and recall per PII type on the labelled corpus (test/pii/pii-corpus.jsonl,
 * exact spans), the same on a held-out corpus drawn from the generator with another seed (the detectors were
 * tuned on the committed one), and scanning throughput in MB/s on one core (UTF-8 bytes of the corpus text per
 * second of scan(), median of rounds), with and without the libphonenumber-js phone detector.
 */
import { createPiiRedactor, createPiiScanner, type PiiScanner } from 'omnicache';
import { phoneDetector } from 'omnicache/pii-phone';
import { CORPUS_SEED, generateCorpus } from '../../test/pii/corpus-generator.js';
import { evaluate, readCorpus, type TypeScore } from '../../test/pii/evaluate.js';
import { type Table, writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';
import { redactors, SHARED_TYPES, valueLevel } from './peer.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const TARGET = { overallPrecision: 0.98, overallRecall: 0.95, perType: 0.9, mbPerSecond: 20 };

/**
 * MB/s over whole passes of the corpus, two ways: per second of this process's CPU time (user + system: what one
 * core does, robust to other processes sharing the machine) and per second of wall time.
 */
function throughput(name: string, texts: readonly string[], run: (t: string) => unknown) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  // Warm up (JIT, libphonenumber metadata), then time whole passes over the corpus.
  for (let i = 0; i < 3; i++) for (const t of texts) run(t);
  const cpu: number[] = [];
  const wall: number[] = [];
  const passes = 5;
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) for (const t of texts) run(t);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const c = process.cpuUsage(c0);
    wall.push((bytes * passes) / 1e6 / seconds);
    cpu.push((bytes * passes) / 1e6 / ((c.user + c.system) / 1e6));
  }
  return {
    name,
    bytes,
    rounds: ROUNDS,
    cpuMBps: { median: median(cpu), p10: quantile(cpu, 0.1), p90: quantile(cpu, 0.9) },
    wallMBps: { median: median(wall), p10: quantile(wall, 0.1), p90: quantile(wall, 0.9) },
  };
}

function scoreRows(scores: readonly TypeScore[]): (string | number)[][] {
  return scores.map((s) => [
    s.type,
    String(s.truePositives + s.falseNegatives),
    String(s.truePositives),
    String(s.falsePositives),
    String(s.falseNegatives),
    s.precision.toFixed(4),
    s.recall.toFixed(4),
    s.type === 'overall'
      ? s.precision >= TARGET.overallPrecision && s.recall >= TARGET.overallRecall
        ? 'met'
        : 'NOT met'
      : s.precision >= TARGET.perType && s.recall >= TARGET.perType
        ? 'met'
        : 'NOT met',
  ]);
}

export async function piiBench(): Promise<void> {
  const full: PiiScanner = createPiiScanner({ phone: phoneDetector() });
  const noPhone = createPiiScanner();
  const uncached = createPiiScanner({ phone: phoneDetector({ cacheSize: 0 }) });
  const corpus = readCorpus();
  const heldOut = generateCorpus(CORPUS_SEED + 1);
  const committed = evaluate(full, corpus);
  const held = evaluate(full, heldOut);
  const texts = corpus.map((r) => r.text);
  const redactor = createPiiRedactor({ key: 'bench-key-0123456789abcdef', scanner: full });
  const speed = [
    throughput('scan, all 9 types (phone via libphonenumber-js)', texts, (t) => full.scan(t)),
    throughput(
      'scan, all 9 types, phone verdict cache off (every candidate validated by libphonenumber-js)',
      texts,
      (t) => uncached.scan(t),
    ),
    throughput('scan, 8 types (no phone detector)', texts, (t) => noPhone.scan(t)),
    throughput('redact, all 9 types (scan + keyed-hash markers)', texts, (t) => redactor.redact(t)),
  ];
  const peers = redactors();
  const peerScores = peers.map((p) => valueLevel(p.name, p.redact, corpus));
  const peerSpeed = peers.map((p) => throughput(`redact: ${p.name}`, texts, p.redact));
  const columns = ['type', 'labelled', 'TP', 'FP', 'FN', 'precision', 'recall', 'target'];
  const tables: Table[] = [
    {
      title: `Detection on the committed corpus (${corpus.length} records, seed ${CORPUS_SEED}, exact spans)`,
      columns,
      rows: scoreRows(committed.scores),
      notes: [
        `targets: overall precision >= ${TARGET.overallPrecision} and recall >= ${TARGET.overallRecall}; each type >= ${TARGET.perType}`,
        'the detector rules were tuned while looking at this corpus; the held-out table below is the fairer number',
      ],
    },
    {
      title: `Detection on a held-out corpus (${heldOut.length} records, seed ${CORPUS_SEED + 1}, never used for tuning)`,
      columns,
      rows: scoreRows(held.scores),
    },
    {
      title: 'Throughput on one core (corpus text, UTF-8 MB per second)',
      columns: [
        'operation',
        'MB/s per CPU-second (median)',
        'p10',
        'p90',
        'MB/s wall (median)',
        `target >= ${TARGET.mbPerSecond}`,
      ],
      rows: speed.map((s) => [
        s.name,
        s.cpuMBps.median.toFixed(1),
        s.cpuMBps.p10.toFixed(1),
        s.cpuMBps.p90.toFixed(1),
        s.wallMBps.median.toFixed(1),
        s.cpuMBps.median >= TARGET.mbPerSecond ? 'met' : 'NOT met',
      ]),
      notes: [
        `${ROUNDS} rounds of 5 passes over ${(speed[0]!.bytes / 1e6).toFixed(2)} MB; the corpus is dense with PII (1-3 values in 2 of 3 records), the worst case for the validators`,
        'single-threaded; CPU-second rates are the target measure (the machine is shared, so wall rates vary with other load)',
        'the phone detector remembers its last 4,096 verdicts by candidate text (default): passes after the first find every number in it, so the all-types row is the rate on numbers seen before; the cache-off row is the rate when every number is new',
      ],
    },
    {
      title: `Against a peer on the same corpus: value-level, types both cover (${SHARED_TYPES.join(', ')})`,
      columns: [
        'tool',
        ...SHARED_TYPES.map((t) => `${t} caught`),
        'records without PII changed',
        'MB/s per CPU-second',
        'MB/s wall',
      ],
      rows: peerScores.map((s, i) => [
        s.tool,
        ...SHARED_TYPES.map((t) => `${(s.caught[t]!.recall * 100).toFixed(1)} %`),
        `${s.damagedNegativeRecords} of ${s.negativeRecords}`,
        peerSpeed[i]!.cpuMBps.median.toFixed(1),
        peerSpeed[i]!.wallMBps.median.toFixed(1),
      ]),
      notes: [
        'caught = the labelled value no longer appears in the output; changed = a record with no labelled PII (look-alikes only) was altered',
        'the peer only knows US phone formats and has no checksums; it reports no spans, hence value-level scoring for both',
        'anchor from the issue (not run here, other corpus): Microsoft Presidio reports precision 0.94 / recall 0.86 tuned, 0.55 recall on phone numbers by default',
      ],
    },
  ];
  writeResults(
    'pii',
    {
      corpus: { records: corpus.length, seed: CORPUS_SEED, scores: committed.scores },
      heldOut: {
        records: heldOut.length,
        seed: CORPUS_SEED + 1,
        scores: held.scores,
        mistakes: held.mistakes,
      },
      mistakes: committed.mistakes,
      throughput: speed,
      peer: { scores: peerScores, throughput: peerSpeed },
      targets: TARGET,
    },
    tables,
  );
}

/**
 * `npm run bench -- pii`: precision and recall per PII type on the labelled corpus (test/pii/pii-corpus.jsonl,
 * exact spans), the same on a held-out corpus drawn from the generator with another seed (the detectors were
 * tuned on the committed one), and scanning throughput in MB/s on one core (UTF-8 bytes of the corpus text per
 * second of scan(), median of rounds), with and without the phone detector. The headline throughput scans a corpus
 * of its own seed on every pass, so every phone number is new (no memo or repetition helps); rows on the committed
 * corpus repeated each pass are labelled so.
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

/** The texts one pass scans: pass `p` of round `r` (a negative round: warm-up). */
type PassTexts = (round: number, pass: number) => readonly string[];

const PASSES = 5;
const WARMUP_PASSES = 3;
/** Corpora (seeds of their own) every scanner runs over before any timing. */
const WARMUP_CORPORA = 8;

/**
 * MB/s over whole passes of a corpus, two ways: per second of this process's CPU time (user + system: what one
 * core does, robust to other processes sharing the machine) and per second of wall time.
 */
function throughput(name: string, textsOf: PassTexts, run: (t: string) => unknown) {
  const bytesOf = (texts: readonly string[]) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  // Warm up (JIT, compiled metadata), then time whole passes.
  for (let p = 0; p < WARMUP_PASSES; p++) for (const t of textsOf(-1, p)) run(t);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const passTexts = Array.from({ length: PASSES }, (_, p) => textsOf(r, p));
    const bytes = passTexts.reduce((n, texts) => n + bytesOf(texts), 0);
    const c0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const texts of passTexts) for (const t of texts) run(t);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const c = process.cpuUsage(c0);
    wall.push(bytes / 1e6 / seconds);
    cpu.push(bytes / 1e6 / ((c.user + c.system) / 1e6));
  }
  return {
    name,
    bytesPerPass: bytesOf(textsOf(0, 0)),
    rounds: ROUNDS,
    passes: PASSES,
    cpuMBps: { median: median(cpu), p10: quantile(cpu, 0.1), p90: quantile(cpu, 0.9) },
    wallMBps: { median: median(wall), p10: quantile(wall, 0.1), p90: quantile(wall, 0.9) },
  };
}

/**
 * Corpora drawn from the generator with a seed of their own for every pass (warm-up included), so no phone number
 * (nor any other value) repeats between passes: the phone verdict cache cannot help.
 */
function freshCorpora(): PassTexts {
  const bySeed = new Map<number, string[]>();
  return (round, pass) => {
    const seed = FRESH_SEED_BASE + (round + 1) * PASSES + pass;
    let texts = bySeed.get(seed);
    if (texts === undefined) {
      texts = generateCorpus(seed).map((r) => r.text);
      bySeed.set(seed, texts);
    }
    return texts;
  };
}

/** Seeds of the fresh corpora (far from the committed and held-out seeds). */
const FRESH_SEED_BASE = CORPUS_SEED + 1000;

/** Whether two scanners report the same findings on every record. */
function sameFindings(a: PiiScanner, b: PiiScanner, records: readonly { text: string }[]): number {
  let differing = 0;
  for (const r of records) if (JSON.stringify(a.scan(r.text)) !== JSON.stringify(b.scan(r.text))) differing++;
  return differing;
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
  const memo = createPiiScanner({ phone: phoneDetector({ cacheSize: 4096 }) });
  const reference = createPiiScanner({
    phone: phoneDetector({ cacheSize: 0, engine: 'libphonenumber' }),
  });
  const corpus = readCorpus();
  const heldOut = generateCorpus(CORPUS_SEED + 1);
  const committed = evaluate(full, corpus);
  const held = evaluate(full, heldOut);
  const differing = sameFindings(full, reference, [...corpus, ...heldOut]);
  const texts = corpus.map((r) => r.text);
  const same: PassTexts = () => texts;
  const redactor = createPiiRedactor({ key: 'bench-key-0123456789abcdef', scanner: full });
  const fresh = freshCorpora();
  // Steady state: JIT tiers, regular expressions compiled, metadata of every calling code in the corpora compiled.
  // The first scan of a corpus in a new process runs several times slower; no row below measures that.
  for (let i = 0; i < WARMUP_CORPORA; i++) {
    const warm = generateCorpus(FRESH_SEED_BASE - 1 - i).map((r) => r.text);
    for (const s of [full, noPhone, memo, reference]) for (const t of warm) s.scan(t);
  }
  const speed = [
    throughput(
      'scan, all 9 types, every phone number new (a new corpus each pass; default detector)',
      fresh,
      (t) => full.scan(t),
    ),
    throughput('scan, all 9 types, same corpus each pass (default detector: no verdict memo)', same, (t) =>
      full.scan(t),
    ),
    throughput(
      'scan, all 9 types, repeated numbers, verdict memo on (cacheSize 4096; same corpus each pass)',
      same,
      (t) => memo.scan(t),
    ),
    throughput('scan, all 9 types, every phone number new, verdict memo on (cacheSize 4096)', fresh, (t) =>
      memo.scan(t),
    ),
    throughput(
      "scan, all 9 types, every phone number new, engine 'libphonenumber' (libphonenumber-js parse + isValid per candidate)",
      fresh,
      (t) => reference.scan(t),
    ),
    throughput('scan, 8 types (no phone detector)', same, (t) => noPhone.scan(t)),
    throughput('scan, 8 types, a new corpus each pass', fresh, (t) => noPhone.scan(t)),
    throughput('redact, all 9 types, every phone number new (scan + keyed-hash markers)', fresh, (t) =>
      redactor.redact(t),
    ),
  ];
  const eightTypes = speed.find((s) => s.name === 'scan, 8 types (no phone detector)')!;
  const peers = redactors();
  const peerScores = peers.map((p) => valueLevel(p.name, p.redact, corpus));
  const peerSpeed = peers.map((p) => throughput(`redact: ${p.name}`, same, p.redact));
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
        'vs 8 types (same run)',
        `target >= ${TARGET.mbPerSecond}`,
      ],
      rows: speed.map((s) => [
        s.name,
        s.cpuMBps.median.toFixed(1),
        s.cpuMBps.p10.toFixed(1),
        s.cpuMBps.p90.toFixed(1),
        s.wallMBps.median.toFixed(1),
        (s.cpuMBps.median / eightTypes.cpuMBps.median).toFixed(2),
        s.cpuMBps.median >= TARGET.mbPerSecond ? 'met' : 'NOT met',
      ]),
      notes: [
        `headline: the first row. ${ROUNDS} rounds of ${PASSES} passes over ${(speed[0]!.bytesPerPass / 1e6).toFixed(2)} MB; the corpus is dense with PII (1-3 values in 2 of 3 records), the worst case for the validators`,
        `"a new corpus each pass": the generator with a seed of its own per pass (${ROUNDS * PASSES + WARMUP_PASSES} corpora), so no number is seen twice; the other rows scan the committed corpus every pass`,
        'single-threaded; CPU-second rates are the target measure (the machine is shared, so wall rates vary with other load); "vs 8 types" divides by the 8-type rate of this run',
        `before any timing every scanner runs over ${WARMUP_CORPORA} corpora of their own seeds (steady state: JIT, regular expressions and the metadata of each calling code compiled); each row then warms up ${WARMUP_PASSES} passes more`,
        "engine 'compiled' (default) runs libphonenumber-js's parsing and validation rules over its metadata with the patterns compiled once; engine 'libphonenumber' calls libphonenumber-js per candidate; the verdict memo (cacheSize, default 0) remembers verdicts by candidate text",
        `findings of engine 'compiled' and engine 'libphonenumber' (cache off) on the committed + held-out corpora (${corpus.length + heldOut.length} records): ${differing === 0 ? 'identical' : `${differing} records differ`}`,
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
      compiledVsLibphonenumberDifferingRecords: differing,
      peer: { scores: peerScores, throughput: peerSpeed },
      targets: TARGET,
    },
    tables,
  );
}

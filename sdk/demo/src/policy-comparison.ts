import { ArcPolicy, LruPolicy } from 'omnicache';
import { demoPhases } from './workload/phases.js';

const CAPACITY = 1000;
const PER_PHASE = 60_000;
const COLUMNS = 15;
const BARS = '▁▂▃▄▅▆▇█';

const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1).padStart(5)}%`;
const spark = (values: number[], max: number) =>
  values.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * BARS.length))]).join('');

/** Part 1 of the demo: the phased workload through bare ARC and LRU policies, side by side. */
export function comparePolicies(): void {
  const arc = new ArcPolicy<number>(CAPACITY);
  const lru = new LruPolicy<number>(CAPACITY);

  process.stdout.write(
    `OmniCache demo: ARC vs LRU, capacity ${CAPACITY}, ${PER_PHASE.toLocaleString('en-US')} requests per phase\n\n`,
  );
  process.stdout.write(
    `${'phase'.padEnd(14)} ${'ARC hit'.padStart(7)} ${'LRU hit'.padStart(7)}  ${'p/c over phase'.padEnd(COLUMNS)} ${'p'.padEnd(9)} ${'T1/T2/B1/B2'.padEnd(18)} pattern\n`,
  );
  for (const phase of demoPhases(CAPACITY, PER_PHASE)) {
    let arcHits = 0;
    let lruHits = 0;
    const p: number[] = [];
    const pStart = arc.target;
    for (let i = 0; i < phase.length; i++) {
      const key = phase.next(i);
      if (arc.access(key)) arcHits++;
      if (lru.access(key)) lruHits++;
      if ((i + 1) % Math.floor(phase.length / COLUMNS) === 0 && p.length < COLUMNS) p.push(arc.target);
    }
    const s = arc.snapshot();
    const lists = `${s.t1}/${s.t2}/${s.b1}/${s.b2}`;
    process.stdout.write(
      `${phase.name.padEnd(14)} ${pct(arcHits, phase.length).padStart(7)} ${pct(lruHits, phase.length).padStart(7)}  ${spark(p, CAPACITY)} ${`${Math.round(pStart)}→${Math.round(s.p)}`.padEnd(9)} ${lists.padEnd(18)}  ${phase.description}\n`,
    );
  }
  const a = arc.snapshot();
  const l = lru.snapshot();
  process.stdout.write(
    `\noverall: ARC ${pct(a.hits, a.hits + a.misses).trim()} vs LRU ${pct(l.hits, l.hits + l.misses).trim()}; ` +
      `ghost hits B1 ${a.ghostHitsB1} (p grows: favour recency), B2 ${a.ghostHitsB2} (p shrinks: favour frequency)\n`,
  );
  process.stdout.write(
    'Replay real traces with: npm run -s omnicache -- simulate --trace FILE --format arc --capacity N\n',
  );
}

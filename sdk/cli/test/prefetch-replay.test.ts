import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrefetchResult } from '../src/simulate/prefetch-replay.js';
import { simulatePrefetch } from '../src/simulate/prefetch-simulator.js';
import { runCli } from './support/cli.js';
import { hasSharedData, sharedData } from './support/shared-data.js';

const trace = (path: string) => join(sharedData, 'traces', path);
const byName = (results: readonly PrefetchResult[]) =>
  Object.fromEntries(results.map((r) => [r.prefetcher, r]));

/**
 * Replay figures pinned on prefixes of the shared traces (the full traces run in `npm run bench -- prefetch`).
 * [demand misses, prefetches issued, prefetches used] per prefetcher; the replay is deterministic.
 */
const PINNED = [
  {
    file: 'arc/OLTP.lis.gz',
    format: 'arc',
    capacity: 1000,
    limit: 150_000,
    pinned: { none: [98959, 0, 0], sequential: [54898, 88184, 44989], markov: [38918, 94098, 62184] },
  },
  {
    file: 'arc/P12.lis.gz',
    format: 'arc',
    capacity: 32768,
    limit: 250_000,
    pinned: { none: [212850, 0, 0], sequential: [6665, 225801, 208072], markov: [6360, 227034, 208377] },
  },
] as const;

const LIRS = [
  { name: '2_pools', pinned: { none: [48125, 0, 0], sequential: [48088, 304, 53], markov: [48124, 65, 4] } },
  {
    name: 'sprite',
    pinned: { none: [30323, 0, 0], sequential: [15732, 27299, 16414], markov: [14593, 30878, 17937] },
  },
  {
    name: 'multi2',
    pinned: { none: [15922, 0, 0], sequential: [8340, 13623, 7660], markov: [1978, 18741, 14593] },
  },
] as const;

describe.runIf(hasSharedData('prefetch replay on the ARC and LIRS traces'))(
  'prefetch replay (shared traces)',
  () => {
    for (const c of PINNED) {
      it(`${c.file} c=${c.capacity} (first ${c.limit} accesses): markov >= 30 % fewer misses at >= 50 % precision, beats sequential`, async () => {
        const report = await simulatePrefetch({
          file: trace(c.file),
          format: c.format,
          capacity: c.capacity,
          limit: c.limit,
          prefetchers: ['sequential', 'markov'],
        });
        expect(report.accesses).toBe(c.limit);
        const r = byName(report.results);
        for (const [name, [misses, issued, used]] of Object.entries(c.pinned)) {
          expect([r[name]!.demandMisses, r[name]!.issued, r[name]!.used], name).toEqual([
            misses,
            issued,
            used,
          ]);
        }
        expect(r.markov!.missReduction).toBeGreaterThanOrEqual(0.3);
        expect(r.markov!.precision).toBeGreaterThanOrEqual(0.5);
        expect(r.markov!.demandMisses).toBeLessThan(r.sequential!.demandMisses);
        // accounting: every issued prefetch is used, wasted or still pending at the end
        expect(r.markov!.used + r.markov!.wasted).toBeLessThanOrEqual(r.markov!.issued);
        expect(r.markov!.demandHits + r.markov!.demandMisses).toBe(c.limit);
      }, 120_000);
    }

    it('LIRS traces c=500: pinned, and no prefetcher costs more than 1 point of hit ratio', async () => {
      for (const t of LIRS) {
        const report = await simulatePrefetch({
          file: trace(`lirs/${t.name}.trace.gz`),
          format: 'lirs',
          capacity: 500,
          prefetchers: ['sequential', 'markov'],
        });
        const r = byName(report.results);
        for (const [name, [misses, issued, used]] of Object.entries(t.pinned)) {
          expect([r[name]!.demandMisses, r[name]!.issued, r[name]!.used], `${t.name} ${name}`).toEqual([
            misses,
            issued,
            used,
          ]);
          expect(r[name]!.hitRatioDelta, `${t.name} ${name}`).toBeGreaterThanOrEqual(-1);
        }
      }
    }, 120_000);
  },
);

describe.runIf(hasSharedData('TF.js prefetch replay on a LIRS trace'))(
  'prefetch replay: TF.js against Markov',
  () => {
    it('multi2 c=500 (first 12,000 accesses): the TF.js model learns (> 5 % fewer misses, >= 50 % precision) but Markov misses less', async () => {
      const r = byName(
        (
          await simulatePrefetch({
            file: trace('lirs/multi2.trace.gz'),
            format: 'lirs',
            capacity: 500,
            prefetchers: ['markov', 'tfjs'],
          })
        ).results,
      );
      expect(r.tfjs!.missReduction).toBeGreaterThan(0.05);
      expect(r.tfjs!.precision).toBeGreaterThanOrEqual(0.5);
      expect(r.markov!.demandMisses).toBeLessThan(r.tfjs!.demandMisses);
    }, 120_000);
  },
);

describe('prefetch replay (synthetic)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicache-prefetch-'));
  // No learnable order: half the accesses to a hot set of 300 keys, half to a million cold keys, drawn from
  // SHA-256 of the access number (the same file every run; a small PRNG's own sequence would be learnable).
  const randomTrace = join(dir, 'random.trace');
  const keys: number[] = [];
  for (let i = 0; i < 60_000; i++) {
    const h = createHash('sha256').update(String(i)).digest();
    keys.push(h[0]! % 2 === 0 ? h.readUInt32BE(1) % 300 : 1000 + (h.readUInt32BE(5) % 1_000_000));
  }
  writeFileSync(randomTrace, `${keys.join('\n')}\n`);

  it('without learnable order the budget backs off: hit ratio within 1 point of none, far fewer prefetches than without back-off', async () => {
    const replay = async (extra: { adaptive?: boolean; minConfidence?: number }) =>
      byName(
        (
          await simulatePrefetch({
            file: randomTrace,
            format: 'lirs',
            capacity: 500,
            prefetchers: ['sequential', 'markov'],
            ...extra,
          })
        ).results,
      );
    const adaptive = await replay({});
    const fixed = await replay({ adaptive: false, minConfidence: 0 });
    for (const name of ['sequential', 'markov']) {
      expect(adaptive[name]!.hitRatioDelta, name).toBeGreaterThanOrEqual(-1);
      expect(adaptive[name]!.issued, name).toBeLessThan(fixed[name]!.issued / 20);
      expect(fixed[name]!.precision, name).toBeLessThan(0.1);
    }
  });

  it('`omnicache simulate --prefetch ... --json` prints the baseline and each prefetcher; bad names are refused', () => {
    const out = runCli([
      'simulate',
      '--trace',
      randomTrace,
      '--format',
      'lirs',
      '--capacity',
      '200,400',
      '--prefetch',
      'sequential,markov',
      '--limit',
      '5000',
      '--json',
    ]);
    expect(out.status, out.stderr).toBe(0);
    const parsed = JSON.parse(out.stdout) as {
      runs: { capacity: number; accesses: number; results: PrefetchResult[] }[];
    };
    expect(parsed.runs.map((r) => r.capacity)).toEqual([200, 400]);
    for (const run of parsed.runs) {
      expect(run.accesses).toBe(5000);
      expect(run.results.map((r) => r.prefetcher)).toEqual(['none', 'sequential', 'markov']);
      for (const r of run.results) expect(r.demandHits + r.demandMisses).toBe(5000);
    }
    const table = runCli([
      'simulate',
      '--trace',
      randomTrace,
      '--format',
      'lirs',
      '--capacity',
      '200',
      '--prefetch',
      'markov',
      '--limit',
      '2000',
    ]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/\| +prefetch \| demand misses \| vs none \| precision % \| coverage %/);
    const bad = runCli(['simulate', '--trace', randomTrace, '--capacity', '200', '--prefetch', 'oracle']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(
      'unknown prefetcher "oracle"; valid prefetchers: none, sequential, markov, tfjs',
    );
  });
});

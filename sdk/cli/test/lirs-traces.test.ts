import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReferenceArc } from '../../core/test/policy/reference-arc.js';
import { simulate } from '../src/simulate/simulator.js';
import { readTrace } from '../src/simulate/trace-reader.js';
import { hasSharedData, sharedData } from './support/shared-data.js';

const lirs = (name: string) => join(sharedData, 'traces/lirs', `${name}.trace.gz`);

/** Hit counts pinned from this implementation (the LIRS traces have no published ARC numbers). */
const PINNED: Record<string, { accesses: number; hits: Record<string, [number, number, number]> }> = {
  multi1: { accesses: 15858, hits: { arc: [6588, 7833, 7889], lru: [2881, 7375, 7648] } },
  '2_pools': { accesses: 100000, hits: { arc: [46878, 51875, 54333], lru: [21946, 51062, 54415] } },
  sprite: { accesses: 133996, hits: { arc: [34385, 103673, 120201], lru: [28917, 104922, 121452] } },
  zigzag: { accesses: 52001, hits: { arc: [2365, 11965, 23976], lru: [2475, 12475, 24975] } },
};
const CAPACITIES = [100, 500, 1000];

describe.runIf(hasSharedData('LIRS trace regression vectors'))('LIRS traces (regression vectors)', () => {
  for (const [name, pinned] of Object.entries(PINNED)) {
    it(`${name}: pinned ARC and LRU hit counts`, async () => {
      const specs = CAPACITIES.flatMap((capacity) =>
        (['arc', 'lru'] as const).map((policy) => ({ policy, capacity })),
      );
      const report = await simulate({ file: lirs(name), format: 'lirs', specs, threads: 1 });
      expect(report.accesses).toBe(pinned.accesses);
      for (const r of report.results) {
        expect(r.hits, `${r.policy} c=${r.capacity}`).toBe(
          pinned.hits[r.policy]![CAPACITIES.indexOf(r.capacity)],
        );
      }
    });
  }

  it('multi1 through the production ARC equals the naive transcription of Fig. 4', async () => {
    const keys: number[] = [];
    for await (const chunk of readTrace(lirs('multi1'), 'lirs'))
      keys.push(...chunk.ids.subarray(0, chunk.length));
    for (const c of [100, 500]) {
      const ref = new ReferenceArc(c);
      let hits = 0;
      for (const k of keys) if (ref.request(k)) hits++;
      expect(hits).toBe(PINNED.multi1!.hits.arc![CAPACITIES.indexOf(c)]);
    }
  });
});

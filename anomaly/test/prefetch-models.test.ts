import { describe, expect, it } from 'vitest';
import {
  type AccessObservation,
  BoundedMap,
  createPrefetchModel,
  MarkovModel,
  SequentialModel,
} from '../src/prefetch/index.js';

const obs = (key: string, time: number): AccessObservation => ({ key, time, hit: false });

describe('prefetch models', () => {
  it('sequential predicts the next N ordered keys, confidence growing with the run', () => {
    const m = new SequentialModel({ depth: 3 });
    m.observe(obs('page:10', 0));
    const first = m.predict(8);
    expect(first.map((p) => p.key)).toEqual(['page:11', 'page:12', 'page:13']);
    m.observe(obs('page:11', 1));
    m.observe(obs('page:12', 2));
    const later = m.predict(2);
    expect(later.map((p) => p.key)).toEqual(['page:13', 'page:14']);
    expect(later[0]!.confidence).toBeGreaterThan(first[0]!.confidence);
    m.observe(obs('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 3));
    expect(m.predict(4)).toEqual([]);
  });

  it('markov learns repeated transitions of opaque keys and follows the likely path', () => {
    const m = new MarkovModel({ order: 2, lookahead: 3 });
    const cycle = ['a9', 'f3', 'c1', 'e7'];
    for (let i = 0; i < 40; i++) m.observe(obs(cycle[i % 4]!, i));
    // last observed: e7 -> next a9, f3, c1
    const p = m.predict(3);
    expect(p.map((x) => x.key)).toEqual(['a9', 'f3', 'c1']);
    expect(p[0]!.confidence).toBeGreaterThan(0.9);
  });

  it('markov deltas generalise strides to keys never seen', () => {
    const m = new MarkovModel();
    for (let i = 0; i < 20; i++) m.observe(obs(String(1000 + 3 * i), i));
    expect(m.predict(2).map((p) => p.key)).toEqual(['1060', '1063']);
  });

  it('markov tables stay bounded', () => {
    const m = new MarkovModel({ maxContexts: 16, order: 1, deltas: false });
    for (let i = 0; i < 10_000; i++) m.observe(obs(`k${(i * 7919) % 5000}`, i));
    // biome-ignore lint/suspicious/noExplicitAny: reaching into the private table to check the bound
    expect((m as any).tables[0].size).toBeLessThanOrEqual(16);
  });

  it('BoundedMap drops the least recently used entry', () => {
    const b = new BoundedMap<string, number>(2);
    b.set('a', 1);
    b.set('b', 2);
    b.get('a');
    b.set('c', 3);
    expect(b.peek('b')).toBeUndefined();
    expect(b.peek('a')).toBe(1);
  });

  it('createPrefetchModel makes each model by name and rejects unknown ones', async () => {
    expect((await createPrefetchModel('markov')).name).toBe('markov');
    expect((await createPrefetchModel('sequential')).name).toBe('sequential');
    // @ts-expect-error an unknown name
    await expect(createPrefetchModel('oracle')).rejects.toThrow(/valid models/);
  });
});

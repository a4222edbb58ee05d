import { describe, expect, it } from 'vitest';
import {
  type AccessObservation,
  BoundedMap,
  createPrefetchModel,
  MarkovModel,
  PrefetchBudget,
  SequentialModel,
  type TfSequenceModel,
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
    expect(p[0]!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('markov keeps a context per session: interleaved sessions do not blur each other', () => {
    const m = new MarkovModel({ streams: false, maxSessions: 2 });
    const paths = { u1: ['p1', 'r1', 'x1'], u2: ['p2', 'r2', 'x2'] };
    // Two users' paths interleaved access by access: alone, the stream would teach p1 -> p2 -> r1 -> r2 ...
    for (let round = 0; round < 20; round++) {
      for (let step = 0; step < 3; step++) {
        for (const u of ['u1', 'u2'] as const)
          m.observe({ ...obs(paths[u][step]!, round * 6 + step), session: u });
      }
    }
    m.observe({ ...obs('p1', 1000), session: 'u1' });
    expect(m.predict(1)[0]!.key).toBe('r1');
    expect(m.predict(1)[0]!.confidence).toBeGreaterThan(0.9);
    m.observe({ ...obs('p2', 1001), session: 'u2' });
    expect(m.predict(1)[0]!.key).toBe('r2');
    expect(m.predict(1)[0]!.confidence).toBeGreaterThan(0.9);
    // Sessions are bounded (least recently seen dropped).
    m.observe({ ...obs('p1', 1002), session: 'u3' });
    // biome-ignore lint/suspicious/noExplicitAny: reaching into the private table to check the bound
    expect((m as any).sessions.size).toBe(2);
  });

  it('markov deltas generalise strides to keys never seen', () => {
    const m = new MarkovModel();
    for (let i = 0; i < 20; i++) m.observe(obs(String(1000 + 3 * i), i));
    expect(m.predict(2).map((p) => p.key)).toEqual(['1060', '1063']);
  });

  it('markov tables stay bounded', () => {
    const m = new MarkovModel({ maxContexts: 16, order: 1, streams: false });
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
    await expect(createPrefetchModel('oracle')).rejects.toThrow(/valid models: sequential, markov, tfjs/);
  });
});

describe('PrefetchBudget', () => {
  it('halves the degree when precision falls under the target, grows it when precision is high', () => {
    const b = new PrefetchBudget({ maxDegree: 4, window: 10, initialDegree: 4 });
    b.outcome(2, 8); // 20 %
    expect(b.degree).toBe(2);
    b.outcome(1, 9);
    expect(b.degree).toBe(1);
    b.outcome(0, 10);
    expect(b.degree).toBe(0);
    expect(b.backoffs).toBe(3);
    b.outcome(10, 0); // outcomes of prefetches still in flight do not restart it
    expect(b.degree).toBe(0);
  });

  it('at degree 0 resumes only when predictions scored in shadow reach the target', () => {
    const b = new PrefetchBudget({ window: 10, initialDegree: 0 });
    b.shadowOutcome(3, 7);
    expect(b.degree).toBe(0);
    b.shadowOutcome(6, 4);
    expect(b.degree).toBe(1);
    expect(b.resumes).toBe(1);
    b.outcome(9, 1); // 90 % >= 75 %: grow
    expect(b.degree).toBe(2);
    b.outcome(6, 4); // 60 %: between target and grow threshold, hold
    expect(b.degree).toBe(2);
  });

  it('rejects nonsense options', () => {
    expect(() => new PrefetchBudget({ targetPrecision: 2 })).toThrow(/targetPrecision must be in \[0, 1\]/);
    expect(() => new PrefetchBudget({ maxDegree: 0 })).toThrow(/maxDegree must be a positive integer/);
  });
});

describe('Markov stream model', () => {
  it('learns interleaved forward streams and predicts the next key of the one that moved', () => {
    const m = new MarkovModel();
    // two interleaved sequential streams, 1000.. and 5000.., plus noise keys that never continue
    let t = 0;
    for (let i = 0; i < 200; i++) {
      m.observe(obs(String(1000 + i), t++));
      m.observe(obs(String(90_000 + ((i * 7919) % 50_000)), t++));
      m.observe(obs(String(5000 + i), t++));
    }
    const p = m.predict(2);
    expect(p[0]!.key).toBe('5200');
    expect(p[0]!.confidence).toBeGreaterThan(0.9);
  });

  it('a fresh stream predicts a move only as often as fresh streams moved before', () => {
    const m = new MarkovModel({ maxContexts: 4096 });
    // keys that never continue: random jumps far apart
    for (let i = 0; i < 500; i++) m.observe(obs(String(((i * 104_729) % 1_000_000) * 100), i));
    expect(m.predict(4).filter((p) => p.confidence >= 0.5)).toEqual([]);
  });
});

describe('TF.js sequence model', () => {
  it('learns a repeating delta pattern of ordered keys (+1 +1 +5 ...)', async () => {
    const m = (await createPrefetchModel('tfjs', {
      tfjs: { firstTrainAfter: 600, retrainEvery: 100_000, history: 600, epochs: 30, batchSize: 64 },
    })) as TfSequenceModel;
    try {
      // deltas +1 +1 +5 repeating, then an opaque jump
      let n = 0;
      let t = 0;
      const pattern = [1, 1, 5];
      for (let i = 0; i < 601; i++) {
        n += pattern[i % 3]!;
        m.observe(obs(String(n), t++));
      }
      expect(m.rounds).toBe(1);
      // the last delta was pattern[600 % 3] = +1 (i=600) following +5 (i=599): next is +1
      const p = m.predict(3);
      expect(p[0]!.key).toBe(String(n + pattern[601 % 3]!));
      expect(p[0]!.confidence).toBeGreaterThan(0.5);
    } finally {
      m.dispose();
    }
  });
});

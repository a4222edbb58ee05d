import type { PolicyName, ReplacementPolicy } from 'omnicache';
import { ArcPolicy, DenseIndex, LruPolicy } from 'omnicache';

export interface SimulationSpec {
  policy: PolicyName;
  capacity: number;
}

export interface SimulationResult extends SimulationSpec {
  hits: number;
  misses: number;
  hitRatio: number;
}

/** ARC's state sampled along the trace, for the adaptation chart. */
export interface ArcTimeline {
  capacity: number;
  /** Access number of each sample. */
  at: number[];
  p: number[];
  t1: number[];
  t2: number[];
  b1: number[];
  b2: number[];
}

const MAX_SAMPLES = 1000;

/**
 * Feeds dense-id accesses to several policies at once (one pass over the trace for every
 * policy and capacity), and optionally samples ARC's adaptation along the way.
 */
export class ReplayEngine {
  private readonly policies: ReplacementPolicy<number>[];
  private readonly arcs: { arc: ArcPolicy<number>; timeline: ArcTimeline }[] = [];
  private accesses = 0;
  private sampleEvery = 64;
  private nextSample = 64;

  constructor(
    readonly specs: readonly SimulationSpec[],
    sampleArc: boolean,
  ) {
    this.policies = specs.map((s) => {
      if (s.policy === 'arc') {
        const arc = new ArcPolicy<number>(s.capacity, new DenseIndex());
        if (sampleArc) {
          this.arcs.push({
            arc,
            timeline: { capacity: s.capacity, at: [], p: [], t1: [], t2: [], b1: [], b2: [] },
          });
        }
        return arc;
      }
      return new LruPolicy<number>(s.capacity, new DenseIndex());
    });
  }

  feed(ids: Int32Array, length: number): void {
    const policies = this.policies;
    const sampling = this.arcs.length > 0;
    let from = 0;
    while (from < length) {
      // Run each policy over a segment (cache-friendly), cut at the next sampling point.
      const to = sampling ? Math.min(length, from + (this.nextSample - this.accesses)) : length;
      for (const policy of policies) {
        for (let i = from; i < to; i++) policy.access(ids[i]!);
      }
      this.accesses += to - from;
      from = to;
      if (sampling && this.accesses === this.nextSample) this.sample();
    }
  }

  private sample(): void {
    let halved = false;
    for (const { arc, timeline } of this.arcs) {
      const s = arc.snapshot();
      timeline.at.push(this.accesses);
      timeline.p.push(s.p);
      timeline.t1.push(s.t1);
      timeline.t2.push(s.t2);
      timeline.b1.push(s.b1);
      timeline.b2.push(s.b2);
      if (timeline.at.length >= MAX_SAMPLES) {
        halve(timeline);
        halved = true;
      }
    }
    if (halved) this.sampleEvery *= 2;
    this.nextSample += this.sampleEvery;
  }

  results(): SimulationResult[] {
    return this.policies.map((policy, i) => {
      const { hits, misses } = policy.snapshot();
      const spec = this.specs[i]!;
      return { ...spec, hits, misses, hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses) };
    });
  }

  timelines(): ArcTimeline[] {
    if (this.arcs.length > 0 && this.arcs[0]!.timeline.at.at(-1) !== this.accesses) this.sample();
    return this.arcs.map((a) => a.timeline);
  }
}

function halve(t: ArcTimeline): void {
  for (const series of [t.at, t.p, t.t1, t.t2, t.b1, t.b2]) {
    let w = 0;
    for (let r = 1; r < series.length; r += 2) series[w++] = series[r]!;
    series.length = w;
  }
}

import { SlidingMax } from './sliding-max.js';

/**
 * One alarm per incident, at any threshold: a score no higher than the highest of the previous `size` scores is
 * damped (x `damping`), so a detection is only reported when the score rises above its recent maximum.
 */
export class Refractory {
  private readonly recent: SlidingMax;
  constructor(
    size: number,
    private readonly damping = 0.1,
  ) {
    this.recent = new SlidingMax(size);
  }

  apply(score: number): number {
    const out = score <= this.recent.max ? score * this.damping : score;
    this.recent.push(score);
    return out;
  }
}

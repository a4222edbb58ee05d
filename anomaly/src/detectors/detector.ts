/**
 * One online detector over one series. `update` first judges the new value against what it learnt from the values
 * before it (no look-ahead), then learns from it. The statistic is >= 0 (0: normal); its scale differs per detector,
 * the ensemble turns each into a tail probability before combining them.
 */
export interface Detector {
  readonly name: string;
  update(value: number, timestamp: number): number;
  /** Background work (model training) still running, if any: awaited where results must be reproducible (NAB). */
  settle?(): Promise<void>;
  /** Seconds spent training so far (detectors that train a model). */
  readonly trainingSeconds?: number;
}

/** Bounded ring buffer of the last `capacity` numbers. */
export class Ring {
  private readonly buf: Float64Array;
  private next = 0;
  private count = 0;
  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }
  push(v: number): void {
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }
  get size(): number {
    return this.count;
  }
  /** Oldest first. */
  values(): number[] {
    const out = new Array<number>(this.count);
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out[i] = this.buf[(start + i) % this.capacity]!;
    return out;
  }
  /** The i-th most recent value (0 = last pushed). */
  recent(i: number): number {
    return this.buf[(this.next - 1 - i + this.capacity * 2) % this.capacity]!;
  }
}

/** Exponentially weighted mean and variance (West's incremental form). */
export class EwStats {
  mean = 0;
  variance = 0;
  n = 0;
  constructor(readonly alpha: number) {}
  update(x: number): void {
    if (this.n === 0) {
      this.mean = x;
      this.variance = 0;
    } else {
      // Warm-up: plain running mean/variance until 1/alpha points, then exponential weighting.
      const a = Math.max(this.alpha, 1 / (this.n + 1));
      const diff = x - this.mean;
      const incr = a * diff;
      this.mean += incr;
      this.variance = (1 - a) * (this.variance + diff * incr);
    }
    this.n++;
  }
  get std(): number {
    return Math.sqrt(Math.max(this.variance, 0));
  }
}

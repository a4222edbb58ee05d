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

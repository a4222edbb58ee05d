/** Maximum of the last `size` values pushed, O(1) amortised per push (monotonic deque of [index, value]). */
export class SlidingMax {
  private readonly idx: number[] = [];
  private readonly val: number[] = [];
  private head = 0;
  private n = 0;
  constructor(readonly size: number) {}

  /** Max of the last `size` values (0 when empty). */
  get max(): number {
    return this.head < this.val.length ? this.val[this.head]! : 0;
  }

  push(v: number): void {
    while (this.val.length > this.head && this.val[this.val.length - 1]! <= v) {
      this.val.pop();
      this.idx.pop();
    }
    this.val.push(v);
    this.idx.push(this.n);
    this.n++;
    while (this.idx[this.head]! <= this.n - 1 - this.size) this.head++;
    // Compact now and then so the arrays stay bounded by `size`.
    if (this.head > 1024 && this.head * 2 > this.val.length) {
      this.val.splice(0, this.head);
      this.idx.splice(0, this.head);
      this.head = 0;
    }
  }
}

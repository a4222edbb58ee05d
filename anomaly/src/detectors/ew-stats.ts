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

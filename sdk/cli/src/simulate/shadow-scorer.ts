/**
 * Scores predictions that were not issued: a predicted key counts as used if it is demanded within `horizon`
 * accesses, else as wasted. Bounded: at most `maxPending` predictions are tracked (the oldest is scored as wasted
 * when a new one does not fit).
 */
export class ShadowScorer {
  private readonly ring: Int32Array;
  private readonly expiry: Float64Array;
  private head = 0;
  private count = 0;
  /** id -> expiry of its latest pending prediction. */
  private readonly pending = new Map<number, number>();
  used = 0;
  wasted = 0;

  constructor(
    private readonly horizon: number,
    maxPending: number,
  ) {
    this.ring = new Int32Array(maxPending);
    this.expiry = new Float64Array(maxPending);
  }

  get tracking(): number {
    return this.pending.size;
  }

  /** A demand access at time `now`: scores a pending prediction of `id` as used. */
  demand(id: number, now: number): void {
    this.expire(now);
    if (this.pending.size !== 0 && this.pending.delete(id)) this.used++;
  }

  predicted(id: number, now: number): void {
    if (this.pending.has(id)) return;
    if (this.count === this.ring.length) this.pop();
    const at = (this.head + this.count) % this.ring.length;
    this.ring[at] = id;
    this.expiry[at] = now + this.horizon;
    this.pending.set(id, now + this.horizon);
    this.count++;
  }

  /** Forgets everything pending without scoring it (the executor resumed issuing). */
  reset(): void {
    this.pending.clear();
    this.head = 0;
    this.count = 0;
  }

  private expire(now: number): void {
    while (this.count > 0 && this.expiry[this.head]! < now) this.pop();
  }

  private pop(): void {
    const id = this.ring[this.head]!;
    const exp = this.expiry[this.head]!;
    if (this.pending.get(id) === exp) {
      this.pending.delete(id);
      this.wasted++;
    }
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
  }
}

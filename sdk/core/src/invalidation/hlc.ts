/**
 * Hybrid logical clock (Kulkarni et al.): a timestamp that stays close to wall time yet never goes backwards
 * and orders every message after the messages its sender had already seen. Used to stamp bus messages and
 * local writes, so "older" and "newer" mean the same thing on every instance even when their clocks disagree.
 */
export interface HlcTimestamp {
  /** Milliseconds: the largest wall time seen. */
  readonly wall: number;
  /** Counter breaking ties within one wall millisecond. */
  readonly logical: number;
}

/** Negative when a is older than b, positive when newer, 0 when equal. */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  return a.wall !== b.wall ? a.wall - b.wall : a.logical - b.logical;
}

export class HybridLogicalClock {
  #wall = 0;
  #logical = 0;
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /** A timestamp for a local event (a write or a published message), newer than every one before it. */
  now(): HlcTimestamp {
    const pt = this.#clock();
    if (pt > this.#wall) {
      this.#wall = pt;
      this.#logical = 0;
    } else {
      this.#logical++;
    }
    return { wall: this.#wall, logical: this.#logical };
  }

  /** Merges a received timestamp: later local timestamps are newer than it. */
  receive(remote: HlcTimestamp): void {
    const pt = this.#clock();
    const wall = Math.max(this.#wall, remote.wall, pt);
    if (wall === this.#wall && wall === remote.wall)
      this.#logical = Math.max(this.#logical, remote.logical) + 1;
    else if (wall === this.#wall) this.#logical++;
    else if (wall === remote.wall) this.#logical = remote.logical + 1;
    else this.#logical = 0;
    this.#wall = wall;
  }
}

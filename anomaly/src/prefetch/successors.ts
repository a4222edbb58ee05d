/**
 * What followed one context, as at most `slots` (successor, count) pairs. When a new successor arrives and every slot
 * is taken, it replaces the least counted one and inherits that count plus one (the Space-Saving rule), so the
 * frequent successors survive and the entry never grows.
 */
export class Successors<T> {
  readonly items: T[] = [];
  readonly counts: number[] = [];
  /** Observations of the context (the denominator of a successor's confidence). */
  total = 0;

  constructor(private readonly slots: number) {}

  add(item: T): void {
    this.total++;
    this.count(item);
  }

  /** Counts `item` without counting an observation (its observation was counted by `observe`). */
  count(item: T): void {
    const items = this.items;
    const counts = this.counts;
    for (let i = 0; i < items.length; i++) {
      if (items[i] === item) {
        counts[i]!++;
        return;
      }
    }
    if (items.length < this.slots) {
      items.push(item);
      counts.push(1);
      return;
    }
    let min = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! < counts[min]!) min = i;
    items[min] = item;
    counts[min] = counts[min]! + 1;
  }

  /** Counts an observation of the context that may or may not get a successor later (see `count`). */
  observe(): void {
    this.total++;
  }

  /** Index of the most counted successor (-1 when empty). */
  best(): number {
    let b = -1;
    for (let i = 0; i < this.counts.length; i++) if (b < 0 || this.counts[i]! > this.counts[b]!) b = i;
    return b;
  }

  /** count / (observations + 1): one observation is not certainty (a successor seen once scores 0.5). */
  confidence(i: number): number {
    return Math.min(1, this.counts[i]! / (this.total + 1));
  }
}

import type { AccessObservation, PrefetchModel, PrefetchPrediction } from './model.js';
import { formatOrderedKey, parseOrderedKey } from './numeric-key.js';

export interface SequentialModelOptions {
  /** How many following keys to predict (the N of next-N). Default 4. */
  depth?: number;
  /** Predict only once the current run (consecutive +1 steps) is at least this long; 0 = after every access. Default 0. */
  minRun?: number;
}

/**
 * The sequential-run detector, the next-N baseline: after an access to an ordered key `p:n` (see numeric-key.ts) it
 * predicts `p:n+1 .. p:n+N`. Confidence grows with the length r of the current run of +1 steps: (r+1)/(r+2) for the
 * next key, and that to the power i for the i-th. Opaque keys get no prediction. State: the last key only.
 */
export class SequentialModel implements PrefetchModel {
  readonly name = 'sequential' as const;
  private readonly depth: number;
  private readonly minRun: number;
  private prefix: string | undefined = undefined;
  private last = 0;
  private run = 0;

  constructor(options: SequentialModelOptions = {}) {
    this.depth = positiveInt(options.depth ?? 4, 'depth');
    this.minRun = options.minRun ?? 0;
    if (!Number.isSafeInteger(this.minRun) || this.minRun < 0) {
      throw new RangeError(`sequential minRun must be a non-negative integer, got ${options.minRun}`);
    }
  }

  observe(o: AccessObservation): void {
    const k = parseOrderedKey(o.key);
    if (!k) {
      this.prefix = undefined;
      this.run = 0;
      return;
    }
    this.run = k.prefix === this.prefix && k.n === this.last + 1 ? this.run + 1 : 0;
    this.prefix = k.prefix;
    this.last = k.n;
  }

  predict(limit: number): readonly PrefetchPrediction[] {
    if (this.prefix === undefined || this.run < this.minRun) return [];
    const n = Math.min(limit, this.depth);
    const p = (this.run + 1) / (this.run + 2);
    const out: PrefetchPrediction[] = [];
    let c = 1;
    for (let i = 1; i <= n; i++) {
      c *= p;
      out.push({ key: formatOrderedKey(this.prefix, this.last + i), confidence: c });
    }
    return out;
  }

  dispose(): void {}
}

export function positiveInt(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  return v;
}

import { TimeoutError } from '../errors.js';

interface Pending {
  deadline: number;
  reject: ((error: Error) => void) | undefined;
  what: string;
}

/**
 * Timeouts for calls that all share one budget (every call to a given tier): since each call's deadline
 * is "now + the same ms", deadlines arrive in order and one timer, armed for the oldest pending call,
 * serves them all. A call costs a queue slot instead of a setTimeout/clearTimeout pair; finished calls
 * are dropped lazily when the timer fires.
 */
export class DeadlineQueue {
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {}

  /** `promise`, or a TimeoutError once `ms` has passed without it settling. */
  track<T>(promise: Promise<T>, what: string): Promise<T> {
    if (!(this.ms > 0) || this.ms === Number.POSITIVE_INFINITY) return promise;
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: performance.now() + this.ms, reject, what };
      this.queue.push(entry);
      if (this.timer === undefined) this.arm(this.ms);
      promise.then(
        (v) => {
          entry.reject = undefined;
          resolve(v);
        },
        (e: unknown) => {
          entry.reject = undefined;
          reject(e);
        },
      );
    });
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    const q = this.queue;
    while (this.head < q.length) {
      const e = q[this.head]!;
      if (e.reject !== undefined && e.deadline > now) break;
      this.head++;
      if (e.reject !== undefined) {
        const reject = e.reject;
        e.reject = undefined;
        reject(new TimeoutError(e.what, this.ms));
      }
    }
    if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < q.length) this.arm(q[this.head]!.deadline - now);
    else {
      q.length = 0;
      this.head = 0;
    }
  }
}

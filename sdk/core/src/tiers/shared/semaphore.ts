/** A counting semaphore bounding how many async operations run at once. */
export class Semaphore {
  readonly #limit: number;
  #active = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#active--;
    }
  }

  /** Runs `task` for every item with at most `limit` in flight; results keep the input order. */
  map<I, O>(items: readonly I[], task: (item: I, index: number) => Promise<O>): Promise<O[]> {
    return Promise.all(items.map((item, index) => this.run(() => task(item, index))));
  }
}

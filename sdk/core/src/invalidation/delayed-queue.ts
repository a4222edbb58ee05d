/** Runs each added function `delayMs` after it was added, with one timer for the whole queue (FIFO: same delay). */
export class DelayedQueue {
  readonly #delay: number;
  readonly #items: { at: number; fn: () => void }[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number) {
    this.#delay = delayMs;
  }

  add(fn: () => void): void {
    this.#items.push({ at: Date.now() + this.#delay, fn });
    if (this.#timer === undefined) this.#arm();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items.length = 0;
    this.#head = 0;
  }

  #arm(): void {
    const next = this.#items[this.#head];
    if (next === undefined) return;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, next.at - Date.now()));
    this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    const now = Date.now();
    while (this.#head < this.#items.length && this.#items[this.#head]!.at <= now) {
      this.#items[this.#head++]!.fn();
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#head >= this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else {
      this.#arm();
    }
  }
}

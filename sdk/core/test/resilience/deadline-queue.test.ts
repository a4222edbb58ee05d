import { describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../../src/errors.js';
import { DeadlineQueue } from '../../src/resilience/deadline-queue.js';

const after = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));
const never = () => new Promise<never>(() => undefined);

describe('DeadlineQueue', () => {
  it('passes results and rejections through untouched', async () => {
    const q = new DeadlineQueue(200);
    expect(await q.track(after(5, 'ok'), 'op')).toBe('ok');
    const boom = new Error('boom');
    await expect(q.track(Promise.reject(boom), 'op')).rejects.toBe(boom);
  });

  it('times out only the calls that outlive the budget, each at about its own deadline', async () => {
    // Fake clock (setTimeout and performance.now): the deadlines are checked exactly, whatever the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const q = new DeadlineQueue(60);
      const t0 = performance.now();
      const settled = new Map<string, number>();
      const watch = (name: string, p: Promise<unknown>) =>
        p.then(
          () => settled.set(name, performance.now() - t0),
          () => settled.set(name, performance.now() - t0),
        );
      const slow1 = q.track(never(), 'GET a');
      const fast = q.track(after(10, 'fast'), 'GET b');
      const done = [watch('slow1', slow1), watch('fast', fast)];
      await vi.advanceTimersByTimeAsync(30);
      const slow2 = q.track(never(), 'GET c');
      const late = q.track(after(40, 'late-but-in-time'), 'GET d');
      done.push(watch('slow2', slow2), watch('late', late));
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(done);
      expect(await fast).toBe('fast');
      await expect(slow1).rejects.toBeInstanceOf(TimeoutError);
      expect(await late).toBe('late-but-in-time');
      await expect(slow2).rejects.toThrow('GET c did not finish within 60 ms');
      expect(settled.get('fast')).toBe(10);
      expect(settled.get('slow1')).toBeGreaterThanOrEqual(60);
      expect(settled.get('slow1')).toBeLessThanOrEqual(61);
      expect(settled.get('late')).toBe(70);
      expect(settled.get('slow2')).toBeGreaterThanOrEqual(90);
      expect(settled.get('slow2')).toBeLessThanOrEqual(91);
    } finally {
      vi.useRealTimers();
    }
  });

  it('handles many calls with one timer and keeps working after the queue drains', async () => {
    // Fake clock: 5,000 one-millisecond calls finish well inside the budget however loaded the machine is.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const q = new DeadlineQueue(30);
      const all = Promise.allSettled(
        Array.from({ length: 5000 }, (_, i) => q.track(i % 100 === 0 ? never() : after(1, i), `op ${i}`)),
      );
      await vi.advanceTimersByTimeAsync(31);
      const results = await all;
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(50);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4950);
      const again = expect(q.track(never(), 'again')).rejects.toBeInstanceOf(TimeoutError);
      await vi.advanceTimersByTimeAsync(31);
      await again;
    } finally {
      vi.useRealTimers();
    }
  });

  it('adds no timeout for a non-positive or infinite budget', async () => {
    const p = after(5, 1);
    expect(new DeadlineQueue(0).track(p, 'x')).toBe(p);
    expect(new DeadlineQueue(Number.POSITIVE_INFINITY).track(p, 'x')).toBe(p);
  });
});

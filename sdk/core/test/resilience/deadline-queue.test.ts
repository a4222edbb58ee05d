import { describe, expect, it } from 'vitest';
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
    const q = new DeadlineQueue(60);
    const t0 = performance.now();
    const slow1 = q.track(never(), 'GET a');
    const fast = q.track(after(10, 'fast'), 'GET b');
    await after(30, null);
    const slow2 = q.track(never(), 'GET c');
    const late = q.track(after(40, 'late-but-in-time'), 'GET d');
    expect(await fast).toBe('fast');
    await expect(slow1).rejects.toBeInstanceOf(TimeoutError);
    const first = performance.now() - t0;
    expect(await late).toBe('late-but-in-time');
    await expect(slow2).rejects.toThrow('GET c did not finish within 60 ms');
    const second = performance.now() - t0;
    expect(first).toBeGreaterThanOrEqual(58);
    expect(first).toBeLessThan(85);
    expect(second).toBeGreaterThanOrEqual(88);
    expect(second).toBeLessThan(130);
  });

  it('handles many calls with one timer and keeps working after the queue drains', async () => {
    const q = new DeadlineQueue(30);
    const results = await Promise.allSettled(
      Array.from({ length: 5000 }, (_, i) => q.track(i % 100 === 0 ? never() : after(1, i), `op ${i}`)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(50);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4950);
    await expect(q.track(never(), 'again')).rejects.toBeInstanceOf(TimeoutError);
  });

  it('adds no timeout for a non-positive or infinite budget', async () => {
    const p = after(5, 1);
    expect(new DeadlineQueue(0).track(p, 'x')).toBe(p);
    expect(new DeadlineQueue(Number.POSITIVE_INFINITY).track(p, 'x')).toBe(p);
  });
});

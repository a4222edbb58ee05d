import { describe, expect, it } from 'vitest';
import { compareHlc, HybridLogicalClock } from '../../src/invalidation/hlc.js';
import {
  decodeMessage,
  encodeMessage,
  type InvalidateMessage,
  MAX_MESSAGE_BYTES,
} from '../../src/invalidation/messages.js';
import { type SequenceGap, SequenceTracker } from '../../src/invalidation/sequence.js';

const valid: InvalidateMessage = {
  v: 1,
  kind: 'invalidate',
  group: 'app',
  origin: 'o-1',
  seq: 1,
  hlc: { wall: 5, logical: 0 },
  op: 'keys',
  targets: ['app::k'],
  cause: 'invalidate',
  source: 'local',
};

describe('bus messages (v1)', () => {
  it('round-trips a valid message', () => {
    const r = decodeMessage(encodeMessage(valid));
    expect(r).toEqual({ ok: true, message: valid });
  });

  it.each([
    ['not JSON', '{'],
    ['unknown version', JSON.stringify({ ...valid, v: 2 })],
    ['unknown kind', JSON.stringify({ ...valid, kind: 'set' })],
    ['no targets', JSON.stringify({ ...valid, targets: [] })],
    ['extra field', JSON.stringify({ ...valid, value: 'x' })],
    ['bad seq', JSON.stringify({ ...valid, seq: 0 })],
    ['bad group', JSON.stringify({ ...valid, group: 'a b' })],
    ['bad traceparent', JSON.stringify({ ...valid, trace: { traceparent: 'x' } })],
    ['oversized', 'x'.repeat(MAX_MESSAGE_BYTES + 1)],
  ])('rejects %s', (_what, payload) => {
    const r = decodeMessage(payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });
});

describe('hybrid logical clock', () => {
  it('never goes backwards, even when the wall clock does', () => {
    let t = 100;
    const c = new HybridLogicalClock(() => t);
    const a = c.now();
    t = 50;
    const b = c.now();
    expect(compareHlc(b, a)).toBeGreaterThan(0);
    t = 200;
    expect(compareHlc(c.now(), b)).toBeGreaterThan(0);
  });

  it('orders local events after a received timestamp from a clock ahead of ours', () => {
    const c = new HybridLogicalClock(() => 10);
    c.receive({ wall: 1_000, logical: 7 });
    const after = c.now();
    expect(compareHlc(after, { wall: 1_000, logical: 7 })).toBeGreaterThan(0);
    expect(after.wall).toBe(1_000);
  });
});

describe('per-origin sequences', () => {
  it('applies once, and on an ordered transport a hole is a gap at once', () => {
    const t = new SequenceTracker({ reorderWindowMs: 0 });
    const gaps: SequenceGap[] = [];
    expect(t.observe('a', 7, gaps)).toBe('apply'); // first contact: earlier numbers predate us
    expect(t.observe('a', 7, gaps)).toBe('duplicate');
    expect(t.observe('a', 8, gaps)).toBe('apply');
    expect(gaps).toEqual([]);
    expect(t.observe('a', 11, gaps)).toBe('apply');
    expect(gaps).toEqual([{ origin: 'a', missing: 2 }]);
  });

  it('waits for late messages within the reorder window, then reports what never came', () => {
    let now = 0;
    const t = new SequenceTracker({ reorderWindowMs: 100, now: () => now });
    const gaps: SequenceGap[] = [];
    t.observe('a', 1, gaps);
    t.observe('a', 4, gaps);
    expect(gaps).toEqual([]);
    expect(t.pending).toBe(true);
    expect(t.observe('a', 2, gaps)).toBe('apply'); // late, still applied once
    expect(t.observe('a', 2, gaps)).toBe('duplicate');
    now = 150;
    t.expire(gaps);
    expect(gaps).toEqual([{ origin: 'a', missing: 1 }]); // 3 never came
    expect(t.observe('a', 3, gaps)).toBe('duplicate'); // too late: already answered by the gap
  });

  it('on a reordering transport, messages overtaken by the first one heard are applied once within the window', () => {
    let now = 0;
    const t = new SequenceTracker({ reorderWindowMs: 100, now: () => now });
    const gaps: SequenceGap[] = [];
    expect(t.observe('a', 5, gaps)).toBe('apply'); // first contact
    expect(t.observe('a', 4, gaps)).toBe('apply'); // overtaken, not a duplicate
    expect(t.observe('a', 4, gaps)).toBe('duplicate');
    now = 200;
    expect(t.observe('a', 3, gaps)).toBe('duplicate'); // outside the window: predates this receiver
    expect(gaps).toEqual([]);
    // On an ordered transport nothing can be overtaken.
    const o = new SequenceTracker({ reorderWindowMs: 0 });
    o.observe('b', 5, gaps);
    expect(o.observe('b', 4, gaps)).toBe('duplicate');
  });

  it('heartbeats reveal messages lost at the end of a burst', () => {
    const t = new SequenceTracker({ reorderWindowMs: 0 });
    const gaps: SequenceGap[] = [];
    t.observe('a', 1, gaps);
    t.heartbeat('a', 1, gaps);
    expect(gaps).toEqual([]);
    t.heartbeat('a', 3, gaps);
    expect(gaps).toEqual([{ origin: 'a', missing: 2 }]);
  });

  it('keeps at most maxOrigins origins', () => {
    const t = new SequenceTracker({ reorderWindowMs: 0, maxOrigins: 3 });
    for (let i = 0; i < 10; i++) t.observe(`o${i}`, 1, []);
    expect(t.origins).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { AlertState } from '../src/service/alert-state.js';

const policy = { fireAt: 0.5, resolveBelow: 0.3, fireAfter: 2, resolveAfter: 3 };

function drive(scores: number[], countable: (i: number) => boolean = () => true) {
  const a = new AlertState(policy);
  return scores.map((s, i) => a.observe(s, i * 1000, countable(i)));
}

describe('alert state (hysteresis)', () => {
  it('fires after fireAfter anomalous evaluations and resolves after resolveAfter recovered ones', () => {
    const t = drive([0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1]);
    expect(t).toEqual([null, null, 'fire', null, null, null, 'resolve', null]);
  });

  it('does not flap on a score oscillating around the fire level', () => {
    const t = drive([0.1, 0.9, 0.9, 0.45, 0.6, 0.4, 0.55, 0.45, 0.6, 0.4, 0.1, 0.1, 0.1]);
    expect(t.filter((x) => x === 'fire')).toHaveLength(1);
    expect(t.filter((x) => x === 'resolve')).toHaveLength(1);
    expect(t.indexOf('resolve')).toBe(12);
  });

  it('a single anomalous evaluation does not fire when fireAfter is 2', () => {
    expect(drive([0.1, 0.95, 0.1, 0.95, 0.1]).every((x) => x === null)).toBe(true);
  });

  it('points after a gap never start an alert', () => {
    expect(drive([0.9, 0.9, 0.9], () => false).every((x) => x === null)).toBe(true);
  });

  it('forceResolve ends a firing alert', () => {
    const a = new AlertState({ ...policy, fireAfter: 1 });
    expect(a.observe(0.9, 0)).toBe('fire');
    expect(a.forceResolve()).toBe(true);
    expect(a.firing).toBe(false);
    expect(a.forceResolve()).toBe(false);
  });
});

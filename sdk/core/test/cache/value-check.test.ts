import { describe, expect, it } from 'vitest';
import { checkValue } from '../../src/cache/value-check.js';
import { InvalidValueError } from '../../src/errors.js';

describe('checkValue', () => {
  it('names where an uncacheable value sits', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: [unknown, string][] = [
      [{ user: { tags: [1, 2, () => 3] } }, 'value at $.user.tags[2] is a function'],
      [new Map([['k', { s: Symbol('x') }]]), 'value at $<value>.s is a symbol'],
      [new Set([1, circular]), 'value at $<item>.self is a circular reference'],
      [{ [Symbol('k')]: 1 }, 'value at $ is an object with symbol keys'],
    ];
    for (const [value, message] of cases) {
      expect(() => checkValue(value)).toThrow(InvalidValueError);
      expect(() => checkValue(value)).toThrow(message);
    }
    expect(() => checkValue(undefined)).toThrow(/cache null to remember absence/);
  });

  it('accepts plain data and estimates its size (shared references are not circular)', () => {
    const shared = { id: 1 };
    const size = checkValue({ a: shared, b: shared, list: [1, 'two', 3n, new Date(0), Buffer.alloc(100)] });
    expect(size).toBeGreaterThan(100);
    expect(checkValue('x'.repeat(1000))).toBe(16 + 2000);
  });
});

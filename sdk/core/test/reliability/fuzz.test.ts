// Short fuzz runs in `npm test` (a few seconds); `npm run bench -- fuzz` runs the same properties far longer.
import { describe, expect, it } from 'vitest';
import { type FuzzProperty, localProperties } from './fuzz-properties.js';

const RUNS: Record<string, number> = {
  'codec: decode random bytes': 400,
  'codec: decode mutated unencrypted envelopes, checksum on': 300,
  'codec: decode mutated unencrypted envelopes, checksum off (default)': 300,
  'codec: decode mutated encrypted envelopes': 200,
  'cache: set/get round-trip of random values (or InvalidValueError)': 200,
  'config: createCache with random objects': 300,
};

describe('fuzz (short runs; the long run is `npm run bench -- fuzz`)', () => {
  it.each(localProperties.map((p) => [p.name, p] as [string, FuzzProperty]))('%s', async (_, property) => {
    const outcome = await property.run(RUNS[property.name] ?? 40);
    expect(outcome.failure ?? '', `seed ${outcome.seed}`).toBe('');
    expect(outcome.failed).toBe(false);
    // the property exercised both sides (not all refused, not all accepted where both are expected)
    const total = Object.values(outcome.counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
  });
});

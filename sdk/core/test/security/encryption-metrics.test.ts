import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { ENCRYPTION_FAILURE_REASONS } from '../../src/security/encryption/errors.js';
import { LocalKeyRing } from '../../src/security/encryption/local-key-ring.js';
import { ATTR, ENCRYPTION_FAILURE_REASON_VALUES, METRICS } from '../../src/telemetry/conventions.js';
import { readStats } from '../../src/telemetry/stats-readings.js';
import { FakeTier } from '../helpers/fake-tier.js';
import { freshKey } from './keys.js';

describe('encryption metrics', () => {
  it('every failure reason has its convention value', () => {
    expect(ENCRYPTION_FAILURE_REASONS.map((r) => r.replaceAll('-', '_'))).toEqual([
      ...ENCRYPTION_FAILURE_REASON_VALUES,
    ]);
  });

  it('stats -> series: operations, failures by reason, DEK cache lookups, data keys, key age', async () => {
    const day = 86_400_000;
    const provider = new LocalKeyRing({
      keys: [freshKey('old', Date.now() - 30 * day), freshKey('new', Date.now() - day)],
    });
    const l2 = new FakeTier();
    const cache = createCache({ name: 'm', l1: { capacity: 1 }, l2, encryption: { provider } });
    await cache.set('a', 1);
    await cache.set('b', 2); // evicts a from L1
    expect(await cache.get('a')).toBe(1); // decrypt, DEK cache hit
    const e = l2.data.get('m::b')!;
    e.value[e.value.length - 1]! ^= 1;
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined(); // tampered
    const series: { name: string; value: number; attrs: Record<string, string> }[] = [];
    readStats(cache.stats(), (m, value, attrs) => series.push({ name: m.name, value, attrs }));
    const find = (name: string, attrs: Record<string, string>) =>
      series.find((s) => s.name === name && Object.entries(attrs).every(([k, v]) => s.attrs[k] === v))?.value;
    expect(find(METRICS.encryptionOperations.name, { [ATTR.encryptionOperation]: 'encrypt' })).toBe(3);
    expect(find(METRICS.encryptionOperations.name, { [ATTR.encryptionOperation]: 'decrypt' })).toBe(1);
    expect(
      find(METRICS.encryptionFailures.name, {
        [ATTR.encryptionOperation]: 'decrypt',
        [ATTR.encryptionFailureReason]: 'tampered',
      }),
    ).toBe(1);
    expect(
      series
        .filter((s) => s.name === METRICS.encryptionFailures.name)
        .map((s) => s.attrs[ATTR.encryptionFailureReason]),
    ).toEqual(expect.arrayContaining([...ENCRYPTION_FAILURE_REASON_VALUES]));
    expect(find(METRICS.encryptionDekCache.name, { [ATTR.result]: 'hit' })).toBe(2);
    expect(find(METRICS.encryptionDataKeys.name, {})).toBe(1);
    const age = find(METRICS.encryptionKeyAge.name, { [ATTR.encryptionKeyId]: 'old' })!;
    expect(age).toBeGreaterThanOrEqual(30 * 86_400 - 5);
    expect(find(METRICS.encryptionKeyAge.name, { [ATTR.encryptionKeyId]: 'new' })).toBeLessThan(age);
  });
});

import { describe, expect, it } from 'vitest';
import { type CacheEvent, createCache, EncryptionError, type KeyProvider } from '../../src/index.js';
import { FakeTier, tick } from '../helpers/fake-tier.js';
import { flakyProvider, ring } from './keys.js';

const CANARY = 'canary-7f3e-plaintext';

function setup(provider: KeyProvider = ring('k1')) {
  const l2 = new FakeTier('redis');
  const l3 = new FakeTier('fs');
  const events: CacheEvent[] = [];
  const mk = () => {
    const cache = createCache({
      name: 'app',
      l1: { capacity: 10 },
      l2,
      l3,
      defaults: { ttl: 10_000 },
      encryption: { provider },
    });
    cache.events.onAny((e) => events.push(e));
    return cache;
  };
  return { l2, l3, events, mk, provider };
}

describe('a cache with encryption', () => {
  it('stores only ciphertext in remote tiers and reads it back on another instance', async () => {
    const { l2, l3, mk } = setup();
    await mk().namespace('t1').set('user:1', { secret: CANARY });
    for (const t of [l2, l3]) {
      expect(t.data.size).toBe(1);
      for (const [, e] of t.data) expect(Buffer.from(e.value).includes(CANARY)).toBe(false);
    }
    const reader = mk().namespace('t1');
    expect(await reader.get('user:1')).toEqual({ secret: CANARY });
    expect(await reader.getMany(['user:1', 'none'])).toEqual([{ secret: CANARY }, undefined]);
    expect(await mk().namespace('t1').has('user:1')).toBe(true);
    const stats = mk().stats();
    expect(stats.encryption?.provider).toBe('local');
  });

  it('a tampered entry is a miss, a decode-error with an EncryptionError, and is removed from the tier', async () => {
    const { l2, l3, events, mk } = setup();
    await mk().set('k', 'v');
    l3.data.clear();
    const e = l2.data.get('app::k')!;
    e.value[e.value.length - 1]! ^= 1;
    events.length = 0;
    const reader = mk();
    expect(await reader.get('k')).toBeUndefined();
    await tick(5);
    const de = events.find((x) => x.type === 'decode-error');
    expect(de?.type === 'decode-error' && de.error).toBeInstanceOf(EncryptionError);
    expect(de?.type === 'decode-error' && (de.error as EncryptionError).reason).toBe('tampered');
    expect(l2.data.has('app::k')).toBe(false);
    expect(reader.stats().encryption!.failures.decrypt.tampered).toBe(1);
  });

  it('an entry copied under another key is rejected and removed', async () => {
    const { l2, l3, mk } = setup();
    await mk().set('a', 'value-of-a');
    l2.data.set('app::b', l2.data.get('app::a')!);
    l3.data.clear();
    expect(await mk().get('b')).toBeUndefined();
    await tick(5);
    expect(l2.data.has('app::b')).toBe(false);
    expect(await mk().get('a')).toBe('value-of-a');
  });

  it('with the key provider down and no cached data key: writes stay in L1 (error event), reads miss without removing', async () => {
    const { provider, setDown } = flakyProvider(ring('k1'));
    const { l2, events, mk } = setup(provider);
    await mk().set('k', 'v');
    setDown(true);
    const cold = mk();
    expect(await cold.get('k')).toBeUndefined();
    await tick(5);
    expect(l2.data.has('app::k')).toBe(true);
    events.length = 0;
    await cold.set('k2', 'only-l1');
    expect(await cold.get('k2')).toBe('only-l1');
    expect(l2.data.has('app::k2')).toBe(false);
    const err = events.find((e) => e.type === 'error');
    expect(err?.type === 'error' && (err.error as EncryptionError).reason).toBe('kms-unavailable');
    setDown(false);
    expect(await mk().get('k')).toBe('v');
  });

  it('getOrSet through L2 writes ciphertext and serves later reads', async () => {
    const { l2, mk } = setup();
    const cache = mk();
    expect(await cache.getOrSet('g', async () => ({ secret: CANARY }))).toEqual({ secret: CANARY });
    for (const [, e] of l2.data) expect(Buffer.from(e.value).includes(CANARY)).toBe(false);
    expect(await mk().getOrSet('g', async () => 'loader must not run')).toEqual({ secret: CANARY });
  });
});

describe('removing an entry that failed decryption', () => {
  it('keeps a value another instance wrote after the failed read', async () => {
    const { l2, l3, events, mk } = setup();
    await mk().set('k', 'first');
    l3.data.clear();
    const e = l2.data.get('app::k')!;
    e.value[e.value.length - 1]! ^= 1;
    const reader = mk();
    // a writer replaces the damaged bytes right after the reader's failed decryption
    reader.events.on('decode-error', () => {
      void mk().set('k', 'second');
    });
    expect(await reader.get('k')).toBeUndefined();
    await tick(10);
    expect(events.some((x) => x.type === 'decode-error')).toBe(true);
    expect(l2.data.has('app::k')).toBe(true);
    expect(await mk().get('k')).toBe('second');
  });
});

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { KeyProviderError, WeakKeyError } from '../../src/security/encryption/errors.js';
import { checkKeyStrength, LocalKeyRing } from '../../src/security/encryption/local-key-ring.js';

const dir = mkdtempSync(join(tmpdir(), 'omnicache-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local key ring', () => {
  it('reads a key file (JSON), the last key is current, every key is accepted for reads', async () => {
    const file = join(dir, 'keys.json');
    const keys = [
      { id: '2026-10', key: randomBytes(32).toString('base64'), createdAt: '2026-10-01T00:00:00Z' },
      { id: '2026-11', key: randomBytes(32).toString('hex'), createdAt: '2026-11-01T00:00:00Z' },
    ];
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    const r = new LocalKeyRing({ file });
    expect(r.currentKeyId()).toBe('2026-11');
    expect(r.keyIds()).toEqual(['2026-11', '2026-10']);
    expect(r.keyCreatedAt('2026-10')).toBe(Date.parse('2026-10-01T00:00:00Z'));
    const ctx = { cache: 'c', namespace: 'ns' };
    const dk = await r.generateDataKey('2026-10', ctx);
    expect(
      Buffer.from(await r.unwrapDataKey('2026-10', dk.wrapped, ctx)).equals(Buffer.from(dk.plaintext)),
    ).toBe(true);
    await expect(r.unwrapDataKey('2026-11', dk.wrapped, ctx)).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      r.unwrapDataKey('2026-10', dk.wrapped, { cache: 'c', namespace: 'other' }),
    ).rejects.toBeInstanceOf(KeyProviderError);
    await expect(r.unwrapDataKey('nope', dk.wrapped, ctx)).rejects.toMatchObject({ kind: 'unknown-key' });
  });

  it('refuses a key file other users may read or write', () => {
    const file = join(dir, 'open.json');
    writeFileSync(file, JSON.stringify([{ id: 'k', key: randomBytes(32).toString('base64') }]));
    chmodSync(file, 0o644);
    expect(() => new LocalKeyRing({ file })).toThrow(WeakKeyError);
    expect(() => new LocalKeyRing({ file })).toThrow(/chmod 600/);
    chmodSync(file, 0o602);
    expect(() => new LocalKeyRing({ file })).toThrow(/writable/);
    chmodSync(file, 0o640);
    expect(new LocalKeyRing({ file }).currentKeyId()).toBe('k');
  });

  it('reads id:base64 pairs from an environment variable', () => {
    const name = 'OMNICACHE_TEST_KEYS';
    process.env[name] = `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}`;
    try {
      expect(new LocalKeyRing({ env: name }).keyIds()).toEqual(['b', 'a']);
    } finally {
      delete process.env[name];
    }
    expect(() => new LocalKeyRing({ env: name })).toThrow(ConfigError);
  });

  it.each([
    ['too short', Buffer.alloc(16, 7)],
    ['all zero', Buffer.alloc(32)],
    ['a password', Buffer.from('correct horse battery staple!!!!')],
    ['a counting sequence', Buffer.from(Array.from({ length: 32 }, (_, i) => i * 3))],
    [
      'a short repeated pattern',
      Buffer.from(Array.from({ length: 32 }, (_, i) => [0x9a, 0x01, 0xf3, 0x44][i % 4]!)),
    ],
  ])('refuses a low-entropy key: %s', (_name, key) => {
    expect(() => checkKeyStrength(key, 'k')).toThrow(WeakKeyError);
    expect(() => new LocalKeyRing({ keys: [{ id: 'k', key }] })).toThrow(/entropy|32 random bytes/);
  });

  it('accepts 1000 random keys (no false refusals)', () => {
    for (let i = 0; i < 1000; i++) checkKeyStrength(randomBytes(32), 'k');
  });
});

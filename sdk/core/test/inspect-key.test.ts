import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSION_NONE,
  createCache,
  fsTier,
  InvalidKeyError,
  inspectKey,
  writeEnvelope,
} from '../src/index.js';

describe('inspectKey: what the remote tiers hold for one key', () => {
  it('fresh, stale and expired states; an encrypted value shows its key id even when it cannot be decoded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-key-'));
    const config = () => ({ name: 'inv', l1: { capacity: 10 }, l3: fsTier(dir) });
    const cache = createCache(config());
    await cache.set('a', 'value', { ttl: 1000, staleWhileRevalidate: 5000, tags: ['t1', 't2'] });
    const t0 = Date.now();
    const fresh = await inspectKey(config(), 'a', { now: t0 });
    expect(fresh.tiers).toEqual([
      expect.objectContaining({
        tier: 'l3',
        kind: 'fs',
        found: true,
        state: 'fresh',
        ttlMs: 1000,
        tags: ['t1', 't2'],
      }),
    ]);
    expect((await inspectKey(config(), 'a', { now: t0 + 3000 })).tiers[0]!.state).toBe('stale');
    expect((await inspectKey(config(), 'a', { now: t0 + 10_000 })).tiers[0]!.state).toBe('expired');
    expect((await inspectKey(config(), 'b')).tiers[0]).toEqual({ tier: 'l3', kind: 'fs', found: false });

    // An envelope written by an encrypting instance (flag + key id), as the security work will produce.
    const tier = fsTier(dir);
    const enc = writeEnvelope(COMPRESSION_NONE, new Uint8Array([1, 2, 3]), {
      keyId: Buffer.from('key-2026-11'),
      nonce: new Uint8Array(12),
      tag: new Uint8Array(16),
    });
    await tier.set('inv::secret', enc, { ttlMs: 60_000 });
    await tier.close();
    const secret = (await inspectKey(config(), 'secret')).tiers[0]!;
    expect(secret).toMatchObject({ found: true, encryptionKeyId: 'key-2026-11', compression: 'none' });
    expect(secret.error).toMatch(/cannot decode: value is encrypted/);
    await expect(inspectKey(config(), '')).rejects.toThrow(InvalidKeyError);
    await cache.close();
  });
});

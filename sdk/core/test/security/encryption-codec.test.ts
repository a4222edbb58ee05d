import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec } from '../../src/codec/codec.js';
import { readEnvelope } from '../../src/codec/envelope.js';
import type { StoredRecord } from '../../src/codec/record.js';
import { DecodeError } from '../../src/errors.js';
import { EncryptionError } from '../../src/security/encryption/errors.js';
import { LocalKeyRing } from '../../src/security/encryption/local-key-ring.js';
import { deriveDataKeyMaterial } from '../../src/security/encryption/message-key.js';
import { encryptingCodec, flakyProvider, freshKey, ring } from './keys.js';

const rec = (value: unknown): StoredRecord => ({
  version: 1,
  value,
  freshUntil: 1_700_000_000_000,
  staleUntil: 1_700_000_060_000,
  ttl: 30_000,
  tags: ['t'],
});

async function reason(p: () => unknown): Promise<string> {
  try {
    await p();
  } catch (error) {
    expect(error).toBeInstanceOf(EncryptionError);
    expect(error).toBeInstanceOf(DecodeError);
    return (error as EncryptionError).reason;
  }
  throw new Error('expected an EncryptionError');
}

describe('encrypting codec', () => {
  it('round-trips values; the first write and the first read of a data key are async, the rest sync', async () => {
    const { codec, encryptor } = encryptingCodec('c', ring('k1'));
    const first = codec.encode(rec({ a: 1 }), 'c::x');
    expect(first).toBeInstanceOf(Promise);
    const bytes = await first;
    const second = codec.encode(rec('two'), 'c::y');
    expect(second).toBeInstanceOf(Uint8Array);
    expect(codec.decode(bytes, 'c::x')).toMatchObject({ value: { a: 1 }, tags: ['t'] });
    expect(encryptor.counters.encryptions).toBe(2);
    expect(encryptor.counters.dataKeysGenerated).toBe(1);
    // another instance with the same ring: first read unwraps (async), then the data key is cached
    const other = encryptingCodec('c', encryptor.provider).codec;
    const opened = other.decode(bytes, 'c::x');
    expect(opened).toBeInstanceOf(Promise);
    expect((await opened).value).toEqual({ a: 1 });
    expect(other.decode(second as Uint8Array, 'c::y')).toMatchObject({ value: 'two' });
  });

  it('writes key id, 96-bit nonce and 128-bit tag into the envelope; nonces differ per value', async () => {
    const { codec } = encryptingCodec('c', ring('k1'));
    const a = await codec.encode(rec('same'), 'c::k');
    const b = await codec.encode(rec('same'), 'c::k');
    const ea = readEnvelope(a);
    expect(Buffer.from(ea.encryption!.keyId).toString()).toBe('k1');
    expect(ea.encryption!.nonce.length).toBe(12);
    expect(ea.encryption!.tag.length).toBe(16);
    expect(Buffer.from(ea.encryption!.nonce).equals(Buffer.from(readEnvelope(b).encryption!.nonce))).toBe(
      false,
    );
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('rejects plaintext envelopes, and a plain codec rejects encrypted ones', async () => {
    const { codec } = encryptingCodec('c', ring('k1'));
    const plain = new Codec().encode(rec('p'));
    expect(await reason(() => codec.decode(plain, 'c::k'))).toBe('unencrypted');
    const sealed = await codec.encode(rec('p'), 'c::k');
    expect(() => new Codec().decode(sealed)).toThrow(/encrypted/);
  });

  it('a value copied to another key, namespace or cache does not open', async () => {
    const keys = ring('k1');
    const { codec } = encryptingCodec('c', keys);
    const bytes = await codec.encode(rec('secret'), 'c:ns::k');
    expect((await codec.decode(bytes, 'c:ns::k')).value).toBe('secret');
    expect(await reason(() => codec.decode(bytes, 'c:ns::other'))).toBe('tampered');
    // another namespace: its data key unwraps only in its own context
    expect(await reason(() => codec.decode(bytes, 'c:ns2::k'))).toBe('kms-refused');
    expect(await reason(() => codec.decode(bytes, 'c::k'))).toBe('kms-refused');
    const otherCache = encryptingCodec('d', keys).codec;
    expect(await reason(() => otherCache.decode(bytes, 'd:ns::k'))).toBe('kms-refused');
  });

  it('a value under a key missing from the ring fails with unknown-key', async () => {
    const { codec } = encryptingCodec('c', ring('old'));
    const bytes = await codec.encode(rec('v'), 'c::k');
    expect(await reason(() => encryptingCodec('c', ring('new')).codec.decode(bytes, 'c::k'))).toBe(
      'unknown-key',
    );
  });

  it('key commitment: a value whose commitment does not match its data key fails before decryption', async () => {
    const { codec } = encryptingCodec('c', ring('k1'));
    const bytes = Buffer.from(await codec.encode(rec('v'), 'c::k'));
    const env = readEnvelope(bytes);
    const headerEnd = bytes.length - env.payload.length;
    const wrappedLength = Buffer.from(env.payload).readUInt16BE(17);
    const commitmentAt = headerEnd + 1 + 16 + 2 + wrappedLength;
    for (const at of [commitmentAt, commitmentAt + 31]) {
      const forged = Buffer.from(bytes);
      forged[at]! ^= 0x01;
      expect(await reason(() => codec.decode(forged, 'c::k'))).toBe('commitment');
    }
  });

  it('HKDF commitments of two data keys never coincide (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          fc.pre(!Buffer.from(a).equals(Buffer.from(b)));
          const id = randomBytes(16);
          const ma = deriveDataKeyMaterial(a, id);
          const mb = deriveDataKeyMaterial(b, id);
          expect(ma.commitment.equals(mb.commitment)).toBe(false);
          expect(ma.key.equals(mb.key)).toBe(false);
        },
      ),
    );
  });

  it('a refusing provider and an unreachable one are typed; cached data keys keep serving an outage', async () => {
    const { provider: flaky, setDown } = flakyProvider(ring('k1'));
    const { codec, encryptor } = encryptingCodec('c', flaky);
    const bytes = await codec.encode(rec('v'), 'c::k');
    setDown(true);
    // cached DEK: reads and writes go on
    expect(codec.decode(bytes, 'c::k')).toMatchObject({ value: 'v' });
    expect(codec.encode(rec('w'), 'c::k2')).toBeInstanceOf(Uint8Array);
    // a namespace with no cached DEK cannot write, and a fresh instance cannot read
    const e = await reason(() => codec.encode(rec('x'), 'c:other::k'));
    expect(e).toBe('kms-unavailable');
    const fresh = encryptingCodec('c', flaky);
    const r = await reason(() => fresh.codec.decode(bytes, 'c::k'));
    expect(r).toBe('kms-unavailable');
    expect(new EncryptionError('decrypt', 'kms-unavailable', 'x').removesEntry).toBe(false);
    expect(fresh.encryptor.counters.failures.decrypt['kms-unavailable']).toBe(1);
    expect(encryptor.counters.failures.encrypt['kms-unavailable']).toBe(1);
  });

  it('retires a data key for writes after maxEncryptionsPerDek and uses the newest ring key', async () => {
    const keys = new LocalKeyRing({ keys: [freshKey('a'), freshKey('b')] });
    const { codec, encryptor } = encryptingCodec('c', keys, { maxEncryptionsPerDek: 4 });
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const b = await codec.encode(rec(i), `c::k${i}`);
      expect(Buffer.from(readEnvelope(b).encryption!.keyId).toString()).toBe('b');
      ids.add(Buffer.from(readEnvelope(b).payload.subarray(1, 17)).toString('hex'));
    }
    expect(ids.size).toBeGreaterThanOrEqual(3);
    expect(encryptor.counters.dataKeysGenerated).toBeGreaterThanOrEqual(3);
  });

  it('rejects an over-large maxEncryptionsPerDek', () => {
    expect(() => encryptingCodec('c', ring('k'), { maxEncryptionsPerDek: 2 ** 32 })).toThrow(/2\^31/);
  });
});

describe('encrypted envelopes under random damage (property)', () => {
  const keys = ring('k1');
  const { codec } = encryptingCodec('c', keys);
  const other = encryptingCodec('c', ring('k1'));

  it('any bit flip, truncation or extension is rejected, never a wrong value', async () => {
    const bytes = Buffer.from(await codec.encode(rec({ secret: 'canary', n: 42 }), 'c:ns::k'));
    expect((await codec.decode(bytes, 'c:ns::k')).value).toEqual({ secret: 'canary', n: 42 });
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(bytes.length - 1), bit: fc.nat(7) }),
      fc.record({
        kind: fc.constant('truncate' as const),
        at: fc.nat(bytes.length - 1),
        bit: fc.constant(0),
      }),
      fc.record({
        kind: fc.constant('extend' as const),
        at: fc.integer({ min: 1, max: 64 }),
        bit: fc.nat(255),
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        let damaged: Buffer;
        if (m.kind === 'flip') {
          damaged = Buffer.from(bytes);
          damaged[m.at]! ^= 1 << m.bit;
        } else if (m.kind === 'truncate') damaged = bytes.subarray(0, m.at);
        else damaged = Buffer.concat([bytes, Buffer.alloc(m.at, m.bit)]);
        let result: unknown;
        try {
          result = await codec.decode(damaged, 'c:ns::k');
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
          return;
        }
        throw new Error(`damaged bytes decoded to ${JSON.stringify(result)}`);
      }),
      { numRuns: 400 },
    );
  });

  it('a ciphertext under key A never decrypts under key B (same key id, other material)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string({ minLength: 1, maxLength: 40 }), async (value, key) => {
        const remoteKey = `c::${key}`;
        const bytes = await codec.encode(rec(value), remoteKey);
        expect((await codec.decode(bytes, remoteKey)).value).toBe(value);
        await expect(
          Promise.resolve().then(() => other.codec.decode(bytes, remoteKey)),
        ).rejects.toBeInstanceOf(EncryptionError);
      }),
      { numRuns: 100 },
    );
  });

  it('a ciphertext copied to another key or namespace never decrypts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', 'a', 'a:b', 'tenant-1'),
        fc.constantFrom('', 'a', 'a:b', 'tenant-2'),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (ns1, ns2, k1, k2) => {
          fc.pre(ns1 !== ns2 || k1 !== k2);
          const from = ns1 === '' ? `c::${k1}` : `c:${ns1}::${k1}`;
          const to = ns2 === '' ? `c::${k2}` : `c:${ns2}::${k2}`;
          const bytes = await codec.encode(rec(randomBytes(8).toString('hex')), from);
          await expect(Promise.resolve().then(() => codec.decode(bytes, to))).rejects.toBeInstanceOf(
            EncryptionError,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

// The CRC-32 of unencrypted stored records (envelope version 2): every single-bit flip of a record is detected,
// exhaustively over small records and at random over a large one; records without a checksum are still read.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChecksumError } from '../src/codec/checksum.js';
import { Codec } from '../src/codec/codec.js';
import {
  COMPRESSION_BROTLI,
  COMPRESSION_NONE,
  ENVELOPE_VERSION,
  ENVELOPE_VERSION_CHECKSUM,
  readEnvelope,
  writeEnvelope,
} from '../src/codec/envelope.js';
import type { StoredRecord } from '../src/codec/record.js';
import { DecodeError } from '../src/errors.js';
import { type CacheEvent, createCache } from '../src/index.js';
import { Encryptor } from '../src/security/encryption/encryptor.js';
import { localKeyRing } from '../src/security/encryption/local-key-ring.js';
import { ATTR, METRICS } from '../src/telemetry/conventions.js';
import { instrument } from '../src/telemetry/instrument.js';
import { FakeTier } from './helpers/fake-tier.js';
import { collect, point, TestReader } from './helpers/metric-reader.js';
import { rec } from './helpers/stored-record.js';

/** `bytes` with bit `bit` of byte `at` flipped. */
function flipped(bytes: Uint8Array, at: number, bit: number): Buffer {
  const out = Buffer.from(bytes);
  out[at]! ^= 1 << bit;
  return out;
}

/** Decodes `bytes`; the error it threw, or the record when it decoded. */
function attempt(codec: Codec, bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes);
  } catch (error) {
    return error;
  }
}

describe('checksummed envelope (version 2)', () => {
  it('is magic, version 2, flags, payload, then the CRC-32 (u32 LE) of every byte before it', () => {
    const codec = new Codec({ checksum: true });
    const bytes = Buffer.from(codec.encode(rec('hello')));
    expect([...bytes.subarray(0, 4)]).toEqual([0x4f, 0x43, ENVELOPE_VERSION_CHECKSUM, COMPRESSION_NONE]);
    const end = bytes.length - 4;
    expect(bytes.readUInt32LE(end)).toBe(crc32(bytes.subarray(0, end)));
    const env = readEnvelope(bytes);
    expect(env.version).toBe(2);
    expect(env.encryption).toBeUndefined();
    expect(env.payload.length).toBe(bytes.length - 8);
    expect(codec.decode(bytes)).toEqual(rec('hello'));
  });

  it('checksums compressed payloads too', () => {
    const codec = new Codec({ checksum: true, compressThreshold: 0 });
    const value = 'compress me '.repeat(500);
    const bytes = codec.encode(rec(value));
    expect(readEnvelope(bytes).version).toBe(ENVELOPE_VERSION_CHECKSUM);
    expect(readEnvelope(bytes).compression).toBe(COMPRESSION_BROTLI);
    expect(codec.decode(bytes).value).toBe(value);
  });

  it('checksum: false (the default) writes version 1 (no checksum), as before', () => {
    for (const codec of [new Codec(), new Codec({ checksum: false })]) {
      const bytes = codec.encode(rec('x'));
      expect(bytes[2]).toBe(ENVELOPE_VERSION);
      expect(bytes.length).toBe(new Codec({ checksum: true }).encode(rec('x')).length - 4);
    }
  });

  it('reads records written without a checksum (version 1, older omnicache) whatever its own setting', () => {
    const old = new Codec({ checksum: false }).encode(rec({ a: [1, 2, 3] }, ['t']));
    for (const reader of [new Codec({ checksum: true }), new Codec({ checksum: false })])
      expect(reader.decode(old)).toEqual(rec({ a: [1, 2, 3] }, ['t']));
    // and a codec with checksum: false still verifies a checksum it finds
    const current = new Codec({ checksum: true }).encode(rec('v'));
    expect(() => new Codec({ checksum: false }).decode(flipped(current, 6, 0))).toThrow(ChecksumError);
  });

  it('a mismatch is a ChecksumError (a DecodeError) naming both checksums, never the value', () => {
    const bytes = new Codec({ checksum: true }).encode(rec('secret-ish value'));
    const error = attempt(new Codec({ checksum: true }), flipped(bytes, 10, 3));
    expect(error).toBeInstanceOf(ChecksumError);
    expect(error).toBeInstanceOf(DecodeError);
    const e = error as ChecksumError;
    expect(e.code).toBe('OMNICACHE_DECODE');
    expect(e.expected).toBe(Buffer.from(bytes).readUInt32LE(bytes.length - 4));
    expect(e.actual).not.toBe(e.expected);
    expect(e.bytes).toBe(bytes.length);
    expect(e.message).toMatch(/CRC-32/);
    expect(e.message).not.toMatch(/secret-ish/);
  });

  it.each([
    ['truncated below header + checksum', [0x4f, 0x43, 2, 0, 1, 2, 3]],
    ['unknown compression', null],
    ['encrypted flag', null],
  ])('rejects %s with DecodeError', (name, given) => {
    let bytes: Buffer;
    if (given !== null) bytes = Buffer.from(given);
    else {
      // valid checksum over a header a writer never produces
      const flags = name === 'encrypted flag' ? 0b100 : 3;
      const body = Buffer.from([0x4f, 0x43, 2, flags, 0x90]);
      bytes = Buffer.concat([body, Buffer.alloc(4)]);
      bytes.writeUInt32LE(crc32(body), body.length);
    }
    expect(() => readEnvelope(bytes)).toThrow(DecodeError);
    expect(() => readEnvelope(bytes)).not.toThrow(ChecksumError);
  });

  it.each([
    ['plain', new Codec({ checksum: true })],
    ['brotli', new Codec({ checksum: true, compressThreshold: 0 })],
    ['deflate', new Codec({ checksum: true, compressThreshold: 0, compression: 'deflate' })],
  ])(
    'a record whose version byte became 1 (damage to 2 bits) is refused, not read without its checksum: %s',
    (_, codec) => {
      const bytes = Buffer.from(codec.encode(rec('hello '.repeat(100))));
      bytes[2] = ENVELOPE_VERSION;
      // the 4 checksum bytes are now trailing bytes after the payload: msgpack and both decompressors refuse them
      expect(() => codec.decode(bytes)).toThrow(DecodeError);
    },
  );

  it('an unknown version is still refused (3)', () => {
    expect(() => readEnvelope(new Uint8Array([0x4f, 0x43, 3, 0, 1, 2, 3, 4, 5]))).toThrow(
      /version 3 is not supported/,
    );
  });
});

describe('every single-bit flip of a checksummed record is detected', () => {
  const small: [string, Codec, StoredRecord][] = [
    ['plain, string', new Codec({ checksum: true }), rec('hello, world')],
    [
      'plain, object with tags',
      new Codec({ checksum: true }),
      rec({ id: 42, name: 'Ada', ok: true, n: 1.5 }, ['users', 'v2']),
    ],
    ['plain, number', new Codec({ checksum: true }), rec(7)],
    [
      'brotli',
      new Codec({ checksum: true, compressThreshold: 0 }),
      rec({ list: ['a', 'b', 'c', 'a', 'b', 'c'] }),
    ],
    [
      'deflate',
      new Codec({ checksum: true, compressThreshold: 0, compression: 'deflate' }),
      rec('abcabcabcabc'),
    ],
  ];

  it.each(small)('exhaustively: %s', (_label, codec, record) => {
    const bytes = codec.encode(record);
    expect(bytes.length).toBeGreaterThan(20);
    let checksumErrors = 0;
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const error = attempt(codec, flipped(bytes, at, bit));
        // never a record: a typed decode error for every one of the 8 * length flips
        expect(error, `flip of bit ${bit} at byte ${at} of ${bytes.length} decoded`).toBeInstanceOf(
          DecodeError,
        );
        if (error instanceof ChecksumError) checksumErrors++;
      }
    }
    // magic (2 bytes) and version (1 byte) flips are refused before the checksum; every other flip is a mismatch
    expect(checksumErrors).toBe((bytes.length - 3) * 8);
  });

  it('at random over a 64 KB record (2,000 flips), and bursts of up to 4 changed bytes', () => {
    const codec = new Codec({ checksum: true });
    const value = { blob: randomBytes(32 * 1024), text: randomBytes(24 * 1024).toString('base64') };
    const bytes = codec.encode(rec(value));
    expect(bytes.length).toBeGreaterThan(60_000);
    expect(codec.decode(bytes).value).toEqual(value);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        (at, bit) => {
          expect(attempt(codec, flipped(bytes, at, bit))).toBeInstanceOf(DecodeError);
        },
      ),
      { numRuns: 2000 },
    );
    // CRC-32 detects every burst of at most 32 bits
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: bytes.length - 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }).filter((x) => x.some((b) => b !== 0)),
        (at, mask) => {
          const damaged = Buffer.from(bytes);
          for (let i = 0; i < 4; i++) damaged[at + i]! ^= mask[i]!;
          expect(attempt(codec, damaged)).toBeInstanceOf(ChecksumError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('without the checksum (version 1) some flips decode to a different value: what the checksum prevents', () => {
    const codec = new Codec({ checksum: false });
    const record = rec({ id: 42, name: 'Ada' });
    const bytes = codec.encode(record);
    let silent = 0;
    for (let at = 0; at < bytes.length; at++)
      for (let bit = 0; bit < 8; bit++)
        if (!(attempt(codec, flipped(bytes, at, bit)) instanceof Error)) silent++;
    expect(silent).toBeGreaterThan(0);
  });
});

describe('with encryption', () => {
  const encryptor = () =>
    new Encryptor('c', { provider: localKeyRing({ keys: [{ id: 'k1', key: randomBytes(32) }] }) });

  it('sealed values stay version 1 (authenticated); values of unsealed namespaces get the checksum', async () => {
    const e = encryptor();
    try {
      const codec = new Codec({ checksum: true, encryptor: e, seals: (ns) => ns === 'secret' });
      const sealed = await codec.encode(rec('s'), 'c:secret::k');
      const clear = await codec.encode(rec('p'), 'c:public::k');
      expect(readEnvelope(sealed).version).toBe(ENVELOPE_VERSION);
      expect(readEnvelope(sealed).encryption).toBeDefined();
      expect(readEnvelope(clear).version).toBe(ENVELOPE_VERSION_CHECKSUM);
      expect((await codec.decode(clear, 'c:public::k')).value).toBe('p');
      expect(() => codec.decode(flipped(clear, 8, 1), 'c:public::k')).toThrow(ChecksumError);
      // a clear (checksummed) value in a sealed namespace is still refused as unencrypted
      await expect(async () => codec.decode(clear, 'c:secret::k')).rejects.toMatchObject({
        reason: 'unencrypted',
      });
    } finally {
      e.close();
    }
  });

  it('writeEnvelope (version 1) is unchanged for the encryptor', () => {
    const bytes = writeEnvelope(COMPRESSION_NONE, new Uint8Array([9]));
    expect([...bytes]).toEqual([0x4f, 0x43, 1, 0, 9]);
  });
});

describe('in a cache', () => {
  it('a damaged record is a miss, a decode-error with a ChecksumError, counted in stats and metrics, removed', async () => {
    const l2 = new FakeTier();
    const reader = new TestReader();
    const mk = () => createCache({ name: 'ck', l1: { capacity: 10 }, l2, codec: { checksum: true } });
    await mk().set('k', { amount: 100 });
    const entry = l2.data.get('ck::k')!;
    entry.value = flipped(entry.value, entry.value.length - 10, 2);
    const cache = mk();
    instrument(cache, { meterProvider: new MeterProvider({ readers: [reader] }), tracerProvider: false });
    const events: CacheEvent[] = [];
    cache.events.on('decode-error', (e) => events.push(e));
    expect(await cache.getOrSet('k', () => ({ amount: 1 }))).toEqual({ amount: 1 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'decode-error', tier: 'l2', key: 'ck::k' });
    expect((events[0] as { error: unknown }).error).toBeInstanceOf(ChecksumError);
    expect(cache.stats().tiers.l2).toMatchObject({ checksumFailures: 1, decodeErrors: 1 });
    const got = await collect(reader);
    expect(point(got.get(METRICS.codecChecksumFailures.name), { [ATTR.tier]: 'l2' })).toBe(1);
    expect(
      point(got.get(METRICS.codecFailures.name), { [ATTR.tier]: 'l2', [ATTR.codecOperation]: 'decode' }),
    ).toBe(1);
    // the reload overwrote the damaged record (or the removal deleted it): it is never read again
    await new Promise((r) => setTimeout(r, 10));
    expect([{ amount: 1 }, undefined]).toContainEqual(await mk().get('k'));
    expect(cache.stats().tiers.l2!.checksumFailures).toBe(1);
  });
});

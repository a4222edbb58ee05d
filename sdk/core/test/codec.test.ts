import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec } from '../src/codec/codec.js';
import { COMPRESSION_BROTLI, COMPRESSION_NONE, readEnvelope, writeEnvelope } from '../src/codec/envelope.js';
import { createMsgpackSerializer } from '../src/codec/serializer.js';
import { DecodeError, InvalidValueError } from '../src/errors.js';
import { rec } from './helpers/stored-record.js';

describe('envelope', () => {
  it('writes magic, version, flags and payload', () => {
    const bytes = writeEnvelope(COMPRESSION_NONE, new Uint8Array([9, 8, 7]));
    expect([...bytes]).toEqual([0x4f, 0x43, 1, 0, 9, 8, 7]);
    const env = readEnvelope(bytes);
    expect(env.version).toBe(1);
    expect(env.encryption).toBeUndefined();
    expect([...env.payload]).toEqual([9, 8, 7]);
  });

  it('round-trips key id, nonce and tag for encrypted envelopes', () => {
    const enc = {
      keyId: Buffer.from('k1'),
      nonce: new Uint8Array(12).fill(7),
      tag: new Uint8Array(16).fill(3),
    };
    const env = readEnvelope(writeEnvelope(COMPRESSION_BROTLI, new Uint8Array([1]), enc));
    expect(env.compression).toBe(COMPRESSION_BROTLI);
    expect(Buffer.from(env.encryption!.keyId).toString()).toBe('k1');
    expect([...env.encryption!.nonce]).toEqual([...enc.nonce]);
    expect([...env.encryption!.tag]).toEqual([...enc.tag]);
    expect([...env.payload]).toEqual([1]);
  });

  it.each([
    ['empty', new Uint8Array()],
    ['bad magic', new Uint8Array([0x00, 0x43, 1, 0, 1])],
    ['newer version', new Uint8Array([0x4f, 0x43, 3, 0, 1])],
    ['unknown flags', new Uint8Array([0x4f, 0x43, 1, 0x80, 1])],
    ['unknown compression', new Uint8Array([0x4f, 0x43, 1, 3, 1])],
    ['truncated encryption header', new Uint8Array([0x4f, 0x43, 1, 4, 10, 1])],
  ])('rejects %s with DecodeError', (_name, bytes) => {
    expect(() => readEnvelope(bytes)).toThrow(DecodeError);
  });
});

describe('codec', () => {
  const codec = new Codec();

  it('round-trips Date, Buffer, Uint8Array, Map, Set, BigInt and metadata', () => {
    const value = {
      d: new Date(1_700_000_000_123),
      b: Buffer.from([1, 2, 3]),
      u: new Uint8Array([4, 5]),
      m: new Map<unknown, unknown>([
        ['a', 1],
        [2, { x: new Set([1, 'a']) }],
      ]),
      s: new Set(['x', 'y']),
      small: 5n,
      huge: 2n ** 100n,
      negative: -(2n ** 70n),
      big: 2 ** 53 + 2,
      f: 1.5,
      nul: null,
      nested: [{ a: [1, 2, { deep: true }] }],
      empty: {},
      emptyMap: new Map(),
    };
    const out = codec.decode(codec.encode(rec(value, ['t1', 't2'])));
    expect(out.value).toEqual(value);
    const v = out.value as typeof value;
    expect(v.d).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(v.b)).toBe(true);
    expect(v.u).toBeInstanceOf(Uint8Array);
    expect(v.m).toBeInstanceOf(Map);
    expect(v.s).toBeInstanceOf(Set);
    expect(typeof v.small).toBe('bigint');
    expect(v.huge).toBe(2n ** 100n);
    expect(out.freshUntil).toBe(1_700_000_000_000);
    expect(out.staleUntil).toBe(1_700_000_060_000);
    expect(out.ttl).toBe(30_000);
    expect(out.tags).toEqual(['t1', 't2']);
  });

  it('compresses above the threshold (brotli) and only when it pays', () => {
    const big = 'hello world '.repeat(2000);
    const bytes = codec.encode(rec(big));
    expect(readEnvelope(bytes).compression).toBe(COMPRESSION_BROTLI);
    expect(bytes.length).toBeLessThan(big.length / 10);
    expect(codec.decode(bytes).value).toBe(big);
    const random = Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(Math.random() * 256)));
    const r = codec.encode(rec(random));
    expect(readEnvelope(r).compression).toBe(COMPRESSION_NONE);
    expect(codec.decode(r).value).toEqual(random);
    expect(readEnvelope(codec.encode(rec('small'))).compression).toBe(COMPRESSION_NONE);
  });

  it('deflate and disabled compression also round-trip', () => {
    const big = { list: Array.from({ length: 2000 }, (_, i) => ({ i, s: 'row' })) };
    for (const c of [new Codec({ compression: 'deflate' }), new Codec({ compressThreshold: false })]) {
      expect(c.decode(c.encode(rec(big))).value).toEqual(big);
    }
  });

  it('rejects values the serializer cannot carry with InvalidValueError', () => {
    expect(() => codec.encode(rec(Symbol('x')))).toThrow(InvalidValueError);
  });

  it('never returns a value for corrupted, truncated or foreign bytes', () => {
    const good = codec.encode(rec({ a: 1, s: 'x'.repeat(100) }));
    expect(() => codec.decode(good.subarray(0, good.length - 5))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.from('{"a":1}'))).toThrow(DecodeError);
    expect(() => codec.decode(writeEnvelope(COMPRESSION_NONE, Buffer.from([0x93, 1, 2, 3])))).toThrow(
      DecodeError,
    );
    expect(() => codec.decode(writeEnvelope(COMPRESSION_BROTLI, Buffer.from('not brotli')))).toThrow(
      DecodeError,
    );
    const enc = writeEnvelope(COMPRESSION_NONE, new Uint8Array([1]), {
      keyId: new Uint8Array([1]),
      nonce: new Uint8Array(12),
      tag: new Uint8Array(16),
    });
    expect(() => codec.decode(enc)).toThrow(/encrypted/);
  });

  it('carries the write version; reads records written before versions as version 0; rejects bad versions', () => {
    expect(codec.decode(codec.encode(rec('v'))).version).toBe(rec('v').version);
    const pack = (fields: unknown[]) =>
      writeEnvelope(COMPRESSION_NONE, createMsgpackSerializer().serialize(fields));
    const legacy = codec.decode(pack(['old', 1, 2, 1, null]));
    expect(legacy).toMatchObject({ value: 'old', version: 0 });
    for (const bad of [-1, 1.5, 'x', Number.MAX_SAFE_INTEGER * 2]) {
      expect(() => codec.decode(pack(['v', 1, 2, 1, null, bad]))).toThrow(DecodeError);
    }
  });

  it('survives random byte flips without crashing (decode throws DecodeError or returns a record)', () => {
    const good = codec.encode(rec({ a: [1, 2, 3], b: 'text', c: new Map([['k', 1]]) }, ['tag']));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (at, byte) => {
          const bad = Buffer.from(good);
          bad[at] = byte;
          try {
            const r = codec.decode(bad);
            expect(typeof r.freshUntil).toBe('number');
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips arbitrary values (property)', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: false }).filter((d) => !Object.is(d, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array().map((u) => Buffer.from(u)),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj'), tie('map'), tie('set')),
      arr: fc.array(tie('node'), { maxLength: 5 }),
      obj: fc.dictionary(
        fc.string().filter((k) => k !== '__proto__'),
        tie('node'),
        { maxKeys: 5 },
      ),
      map: fc
        .array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie('node')), { maxLength: 4 })
        .map((e) => new Map(e)),
      set: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }).map((e) => new Set(e)),
    })).node;
    const small = new Codec({ compressThreshold: 64 });
    fc.assert(
      fc.property(value, fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), (v, tags) => {
        const out = small.decode(small.encode(rec(v, tags)));
        expect(out.value).toEqual(v);
        expect(out.tags ?? []).toEqual(tags);
      }),
      { numRuns: 300 },
    );
  });
});

// Fuzz properties for the codec, the envelope, config validation, keys/tags through the tiers and fs entry files.
// Shared by the short runs in `npm test` (test/reliability/fuzz.test.ts, test/reliability/fuzz-redis.test.ts) and
// the long run of `npm run bench -- fuzz` (bench/fuzz). No vitest here: a property returns what it saw, and the
// caller asserts (tests) or reports (bench).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { hasLoneSurrogate } from '../../src/cache/unicode.js';
import { checkValue } from '../../src/cache/value-check.js';
import { ChecksumError } from '../../src/codec/checksum.js';
import { Codec } from '../../src/codec/codec.js';
import type { StoredRecord } from '../../src/codec/record.js';
import { ConfigError, DecodeError, InvalidKeyError, InvalidValueError } from '../../src/errors.js';
import { createCache } from '../../src/index.js';
import { Encryptor } from '../../src/security/encryption/encryptor.js';
import { localKeyRing } from '../../src/security/encryption/local-key-ring.js';
import { fsTier } from '../../src/tiers/fs/index.js';
import type { Tier } from '../../src/tiers/tier.js';
import { FakeTier } from '../helpers/fake-tier.js';

export interface FuzzOutcome {
  name: string;
  runs: number;
  seed: number;
  failed: boolean;
  /** The shrunk counterexample and error, when failed. */
  failure?: string;
  ms: number;
  /** What the runs saw (how many inputs were refused, detected, ...): shows the property exercised something. */
  counts: Record<string, number>;
}

export interface FuzzProperty {
  name: string;
  run(numRuns: number, seed?: number): Promise<FuzzOutcome>;
}

type Counts = Record<string, number>;
const bump = (counts: Counts, what: string) => {
  counts[what] = (counts[what] ?? 0) + 1;
};

async function check<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  seed: number | undefined,
  body: (input: T, counts: Counts) => Promise<void> | void,
  setup?: () => Promise<() => Promise<void>>,
): Promise<FuzzOutcome> {
  const counts: Counts = {};
  const started = performance.now();
  const teardown = setup === undefined ? undefined : await setup();
  const s = seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  try {
    const details = await fc.check(
      fc.asyncProperty(arb, async (input) => {
        await body(input, counts);
      }),
      { numRuns, seed: s, endOnFailure: false },
    );
    return {
      name,
      runs: details.numRuns,
      seed: s,
      failed: details.failed,
      ...(details.failed && {
        failure: `${fc.stringify(details.counterexample)}: ${details.errorInstance instanceof Error ? details.errorInstance.stack : String(details.errorInstance)}`,
      }),
      ms: performance.now() - started,
      counts,
    };
  } finally {
    await teardown?.();
  }
}

// ------------------------------------------------------------------ values and records

/** Values people cache: JSON-like data plus the richer types the codec documents (Date, Map, Set, bigint, bytes). */
export const valueArb: fc.Arbitrary<unknown> = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withNullPrototype: false,
  withBoxedValues: false,
  withSparseArray: false,
  withObjectString: false,
  stringUnit: 'binary',
  maxDepth: 4,
});

const recordArb: fc.Arbitrary<StoredRecord> = fc
  .record({
    value: valueArb.filter((v) => v !== undefined),
    freshUntil: fc.integer({ min: 0, max: 2 ** 45 }),
    extra: fc.integer({ min: 0, max: 2 ** 30 }),
    ttl: fc.integer({ min: 1, max: 2 ** 31 }),
    tags: fc.option(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 }), {
      nil: undefined,
    }),
    version: fc.nat(),
  })
  .map(({ extra, ...r }) => ({ ...r, staleUntil: r.freshUntil + extra }));

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);
export type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

/** Applies a mutation; the result always differs from the input (a no-op becomes one flipped bit). */
export function mutate(bytes: Uint8Array, m: Mutation): Buffer {
  const src = Buffer.from(bytes);
  const at = src.length === 0 ? 0 : m.kind === 'append' ? 0 : m.at % src.length;
  let out: Buffer;
  switch (m.kind) {
    case 'flip':
      out = Buffer.from(src);
      if (out.length > 0) out[at]! ^= 1 << m.bit;
      break;
    case 'truncate':
      out = src.subarray(0, at);
      break;
    case 'append':
      out = Buffer.concat([src, m.bytes]);
      break;
    case 'overwrite':
      out = Buffer.from(src);
      Buffer.from(m.bytes).copy(out, at);
      break;
    case 'splice':
      out = Buffer.concat([src.subarray(0, at), src.subarray(at + m.length)]);
      break;
  }
  if (out.equals(src)) {
    out = Buffer.from(src);
    if (out.length > 0) out[out.length - 1]! ^= 0x80;
    else out = Buffer.from([0]);
  }
  return out;
}

const codecs = {
  plain: (checksum = false) => new Codec({ compressThreshold: false, checksum }),
  brotli: (checksum = false) => new Codec({ compressThreshold: 0, compression: 'brotli', checksum }),
  deflate: (checksum = false) => new Codec({ compressThreshold: 0, compression: 'deflate', checksum }),
};

/** A typed decode failure (DecodeError and its EncryptionError subclass); anything else fails the property. */
function expectTypedDecodeError(error: unknown): void {
  if (!(error instanceof DecodeError)) {
    throw new Error(`decode threw an untyped error: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

// ------------------------------------------------------------------ properties

/** Random bytes, some starting with a valid envelope header: decode returns a record or throws DecodeError. */
export const codecRandomBytes: FuzzProperty = {
  name: 'codec: decode random bytes',
  run: (numRuns, seed) => {
    const codec = codecs.plain();
    const header = fc
      .tuple(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }))
      .map(([version, flags, rest]) => Buffer.concat([Buffer.from([0x4f, 0x43, version, flags]), rest]));
    return check(
      codecRandomBytes.name,
      fc.oneof(fc.uint8Array({ maxLength: 300 }), header),
      numRuns,
      seed,
      (bytes, counts) => {
        try {
          codec.decode(bytes);
          bump(counts, 'decoded');
        } catch (error) {
          expectTypedDecodeError(error);
          bump(counts, 'DecodeError');
        }
      },
    );
  },
};

const compressionArb = fc.constantFrom('plain', 'brotli', 'deflate') as fc.Arbitrary<keyof typeof codecs>;

/**
 * A random record, encoded (plain, brotli or deflate; with or without the checksum), then mutated: `judge` sees the
 * codec, the intact and the damaged bytes. Values the codec refuses are counted ('refused at encode').
 */
function mutatedPlain(
  name: string,
  checksum: boolean,
  judge: (codec: Codec, encoded: Uint8Array, damaged: Uint8Array, counts: Counts) => void,
): FuzzProperty {
  return {
    name,
    run: (numRuns, seed) =>
      check(
        name,
        fc.tuple(recordArb, mutationArb, compressionArb),
        numRuns,
        seed,
        ([record, m, kind], counts) => {
          const codec = codecs[kind](checksum);
          let encoded: Uint8Array;
          try {
            checkValue(record.value, true);
            encoded = codec.encode(record);
          } catch (error) {
            if (!(error instanceof InvalidValueError)) throw error;
            bump(counts, 'refused at encode');
            return;
          }
          judge(codec, encoded, mutate(encoded, m), counts);
        },
      ),
  };
}

/**
 * Unencrypted envelopes with the checksum (codec `checksum: true`), mutated: every change is detected. Decode throws
 * DecodeError (ChecksumError for a change the CRC-32 caught, another DecodeError for one refused before it: magic,
 * version, length); a decoded record, even an equal one, fails the property.
 */
export const codecMutatedPlain = mutatedPlain(
  'codec: decode mutated unencrypted envelopes, checksum on',
  true,
  (codec, encoded, damaged, counts) => {
    let back: StoredRecord;
    try {
      back = codec.decode(damaged);
    } catch (error) {
      expectTypedDecodeError(error);
      bump(counts, error instanceof ChecksumError ? 'checksum mismatch' : 'DecodeError');
      return;
    }
    const same = isDeepStrictEqual(back, codec.decode(encoded));
    throw new Error(`a damaged checksummed envelope was decoded (${same ? 'same' : 'DIFFERENT'} value)`);
  },
);

/**
 * Unencrypted envelopes without a checksum (`checksum: false`, the default, and what omnicache wrote before it),
 * mutated: decode throws DecodeError or returns a well-formed record, never anything else. Damage to the structure
 * (magic, version, flags, compressed stream, msgpack, record shape) is detected; a change inside a value that keeps
 * it valid msgpack is not (counted as `undetected`): what the checksum is for.
 */
export const codecMutatedPlainUnchecked = mutatedPlain(
  'codec: decode mutated unencrypted envelopes, checksum off (default)',
  false,
  (codec, encoded, damaged, counts) => {
    try {
      const back = codec.decode(damaged);
      if (
        !(Number.isFinite(back.freshUntil) && back.staleUntil >= back.freshUntil && back.value !== undefined)
      )
        throw new Error('decode returned a malformed record');
      bump(counts, isDeepStrictEqual(back, codec.decode(encoded)) ? 'same value' : 'undetected');
    } catch (error) {
      expectTypedDecodeError(error);
      bump(counts, 'detected');
    }
  },
);

/** Encrypted envelopes, mutated: every change fails (authentication, unknown key, structure); never a value. */
export const codecMutatedEncrypted: FuzzProperty = {
  name: 'codec: decode mutated encrypted envelopes',
  run: (numRuns, seed) => {
    const encryptor = new Encryptor('fuzz', {
      provider: localKeyRing({ keys: [{ id: 'fuzz-key', key: randomBytes(32) }] }),
    });
    const codec = new Codec({ compressThreshold: 64, encryptor });
    return check(
      codecMutatedEncrypted.name,
      fc.tuple(recordArb, mutationArb, fc.string({ minLength: 1, maxLength: 20 })),
      numRuns,
      seed,
      async ([record, m, key], counts) => {
        const remoteKey = `fuzz::${key}`;
        let encoded: Uint8Array;
        try {
          checkValue(record.value, true);
          encoded = await codec.encode(record, remoteKey);
        } catch (error) {
          if (!(error instanceof InvalidValueError)) throw error;
          bump(counts, 'refused at encode');
          return;
        }
        // sanity: intact bytes open
        await codec.decode(encoded, remoteKey);
        const damaged = mutate(encoded, m);
        try {
          await codec.decode(damaged, remoteKey);
        } catch (error) {
          expectTypedDecodeError(error);
          bump(counts, (error as { reason?: string }).reason ?? 'DecodeError');
          return;
        }
        throw new Error('a damaged encrypted envelope was decoded');
      },
      async () => () => Promise.resolve(encryptor.close()),
    );
  },
};

/** Through a cache with a remote tier: set() refuses with InvalidValueError or another instance reads it back exactly. */
export const valueRoundTrip: FuzzProperty = {
  name: 'cache: set/get round-trip of random values (or InvalidValueError)',
  run: (numRuns, seed) => {
    const l2 = new FakeTier();
    const writer = createCache({
      name: 'fuzzrt',
      l1: { capacity: 4 },
      l2,
      codec: { compressThreshold: 256 },
    });
    const reader = createCache({ name: 'fuzzrt', l1: { capacity: 4 }, l2 });
    return check(
      valueRoundTrip.name,
      valueArb,
      numRuns,
      seed,
      async (value, counts) => {
        const key = `k${randomBytes(6).toString('hex')}`;
        try {
          await writer.set(key, value);
        } catch (error) {
          if (!(error instanceof InvalidValueError)) throw error;
          bump(counts, 'refused');
          return;
        }
        const back = await reader.get(key);
        if (!isDeepStrictEqual(normalise(back), normalise(value))) {
          throw new Error(`read back ${fc.stringify(back)} for ${fc.stringify(value)}`);
        }
        bump(counts, 'round-tripped');
      },
      async () => async () => {
        await writer.close();
        await reader.close();
      },
    );
  },
};

/** What the codec documents it changes (-0 comes back as 0); an Invalid Date as a marker (NaN times never compare equal). */
function normalise(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (value instanceof Date && Number.isNaN(value.getTime())) return { invalidDate: true };
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [normalise(k), normalise(v)]));
  if (value instanceof Set) return new Set([...value].map(normalise));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

/** createCache with random objects (and valid configs with one field replaced): a Cache or ConfigError, nothing else. */
export const configValidation: FuzzProperty = {
  name: 'config: createCache with random objects',
  run: (numRuns, seed) => {
    const base = { name: 'fuzz', l1: { capacity: 10 } };
    const field = fc.constantFrom(
      'name',
      'l1',
      'l2',
      'l3',
      'defaults',
      'maxKeyLength',
      'maxValueBytes',
      'circuitBreaker',
      'lock',
      'security',
      'bus',
      'codec',
      'encryption',
      'access',
    );
    const nested = fc.record(
      {
        name: fc.oneof(fc.constant('fuzz'), fc.string()),
        l1: fc.record(
          {
            capacity: fc.oneof(fc.integer(), fc.double(), fc.anything()),
            maxBytes: fc.oneof(fc.integer(), fc.double()),
            policy: fc.oneof(fc.constantFrom('arc', 'lru'), fc.string()),
          },
          { requiredKeys: [] },
        ),
        defaults: fc.record(
          {
            ttl: fc.oneof(fc.double(), fc.integer()),
            grace: fc.double(),
            staleWhileRevalidate: fc.double(),
            jitter: fc.double(),
            timeouts: fc.record(
              { soft: fc.double(), hard: fc.double(), tier: fc.double() },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    const arb = fc.oneof(
      fc.anything(),
      fc.tuple(field, fc.anything()).map(([k, v]) => ({ ...base, [k]: v })),
      nested,
    );
    return check(configValidation.name, arb, numRuns, seed, async (config, counts) => {
      let cache: ReturnType<typeof createCache>;
      try {
        cache = createCache(config as never);
      } catch (error) {
        if (!(error instanceof ConfigError)) {
          throw new Error(`createCache threw ${error instanceof Error ? error.stack : String(error)}`);
        }
        bump(counts, 'ConfigError');
        return;
      }
      bump(counts, 'accepted');
      await cache.close();
    });
  },
};

/** Random Unicode keys and tags (lone surrogates, NUL, astral, combining marks): valid or InvalidKeyError. */
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom(
    '\uD800',
    'a\uDC00',
    '\0x',
    'ключ',
    '🗝️',
    'e\u0301',
    'e\u00e9',
    '*?[x]',
    'a:b::c',
    '%2F',
    '\uFEFF',
  ),
);
const keyValid = (k: string) => k.length > 0 && k.charCodeAt(0) !== 0 && !hasLoneSurrogate(k);

export type TierFactory = () => Promise<{ tier: Tier; cleanup: () => Promise<void> }>;

export function fsTierFactory(): TierFactory {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-fuzz-'));
    return { tier: fsTier(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  };
}

/**
 * Keys and tags with random Unicode through L1 and (optionally) a remote tier: set refuses exactly the invalid ones
 * (InvalidKeyError); every accepted key reads back its own value on a fresh instance (no two keys collide), and
 * deleteByTag removes exactly the keys carrying the tag.
 */
export function keysAndTags(label: string, remote: TierFactory | undefined): FuzzProperty {
  const name = `keys and tags with random Unicode: ${label}`;
  return {
    name,
    run: (numRuns, seed) => {
      let tier: Tier | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      let run = 0;
      const entries = fc.array(fc.tuple(textArb, fc.subarray(['t0', 't1'])), { minLength: 1, maxLength: 8 });
      return check(
        name,
        fc.tuple(entries, fc.tuple(textArb, textArb)),
        numRuns,
        seed,
        async ([list, [tagA, tagB]], counts) => {
          const cacheName = `fuzzkt${run++}x${randomBytes(3).toString('hex')}`;
          const make = () =>
            createCache({ name: cacheName, l1: { capacity: 64 }, ...(tier !== undefined && { l2: tier }) });
          const tags: Record<string, string> = { t0: tagA, t1: tagB };
          const writer = make();
          const expected = new Map<string, { value: string; tags: string[] }>();
          for (const [i, [key, tagIds]] of list.entries()) {
            const own = tagIds.map((t) => tags[t]!);
            const valid = keyValid(key) && own.every(keyValid);
            const value = `v${i}`;
            try {
              await writer.set(key, value, { tags: own });
            } catch (error) {
              if (!(error instanceof InvalidKeyError) || valid) throw error;
              bump(counts, 'refused');
              continue;
            }
            if (!valid) throw new Error(`set accepted an invalid key/tag ${fc.stringify([key, own])}`);
            bump(counts, 'stored');
            expected.set(key, { value, tags: own });
          }
          const reader = make();
          for (const [key, e] of expected) {
            const got = await reader.get(key);
            // without a remote tier a fresh instance is empty; the writer's L1 is the store
            const want = tier === undefined ? undefined : e.value;
            if (got !== want)
              throw new Error(`key ${fc.stringify(key)} read ${fc.stringify(got)}, wanted ${want}`);
            if ((await writer.get(key)) !== e.value) throw new Error(`writer lost ${fc.stringify(key)}`);
          }
          if (keyValid(tagA)) {
            await writer.deleteByTag(tagA);
            const fresh = make();
            for (const [key, e] of expected) {
              const gone = e.tags.includes(tagA);
              const inL1 = await writer.get(key);
              if ((inL1 === undefined) !== gone)
                throw new Error(`L1 deleteByTag wrong for ${fc.stringify(key)}`);
              if (tier !== undefined && ((await fresh.get(key)) === undefined) !== gone)
                throw new Error(`tier deleteByTag wrong for ${fc.stringify(key)}`);
            }
            bump(counts, 'deleteByTag checked');
          }
          await writer.clear();
          // no close(): it would close the shared tier (the teardown does that once)
          bump(counts, 'runs');
        },
        async () => {
          if (remote !== undefined) ({ tier, cleanup } = await remote());
          return async () => {
            await tier?.close();
            await cleanup?.();
          };
        },
      );
    },
  };
}

/**
 * fs entry files damaged on disk (bits flipped, truncated, extended, overwritten, another entry's file copied over):
 * every read returns the key's own value or a miss, never another value, never an error.
 */
export const fsFilesMutated: FuzzProperty = {
  name: 'fsTier: entry files mutated on disk',
  run: (numRuns, seed) => {
    let dir = '';
    let run = 0;
    return check(
      fsFilesMutated.name,
      fc.tuple(
        fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 2, maxLength: 6 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(mutationArb, fc.record({ kind: fc.constant('swap' as const), with: fc.nat() })),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
      ),
      numRuns,
      seed,
      async ([values, damages], counts) => {
        const sub = join(dir, `r${run++}`);
        const tier = fsTier(sub);
        const keys = values.map((_, i) => `key:${i}`);
        await tier.setMany(keys.map((key, i) => ({ key, value: values[i]!, ttlMs: 60_000, tags: ['t'] })));
        const files: string[] = [];
        for (const shard of await readdir(join(sub, 'v'))) {
          for (const f of await readdir(join(sub, 'v', shard))) files.push(join(sub, 'v', shard, f));
        }
        for (const [which, d] of damages) {
          const file = files[which % files.length]!;
          const bytes = await readFile(file);
          const next = d.kind === 'swap' ? await readFile(files[d.with % files.length]!) : mutate(bytes, d);
          await writeFile(file, next);
        }
        const got = await tier.getMany(keys);
        for (const [i, v] of got.entries()) {
          if (v === undefined) {
            bump(counts, 'miss');
            continue;
          }
          if (!Buffer.from(v).equals(Buffer.from(values[i]!))) throw new Error(`key ${i} read another value`);
          bump(counts, 'own value');
        }
        // the tier still works on the damaged directory
        await tier.deleteByTag('t');
        await tier.clear('key:');
        await tier.close();
      },
      async () => {
        dir = await mkdtemp(join(tmpdir(), 'omnicache-fuzz-fs-'));
        return () => rm(dir, { recursive: true, force: true });
      },
    );
  },
};

/** Every property that needs no server, in the order the bench runs them. */
export const localProperties: FuzzProperty[] = [
  codecRandomBytes,
  codecMutatedPlain,
  codecMutatedPlainUnchecked,
  codecMutatedEncrypted,
  valueRoundTrip,
  configValidation,
  keysAndTags('memory (L1 only)', undefined),
  keysAndTags('fs', fsTierFactory()),
  fsFilesMutated,
];

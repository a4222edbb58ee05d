import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../src/codec/record.js';
import type { KeyProvider } from '../../src/security/encryption/key-provider.js';
import { encryptingCodec, ring } from './keys.js';

const rec = (value: unknown): StoredRecord => ({
  version: 1,
  value,
  freshUntil: 2e12,
  staleUntil: 2e12,
  ttl: 1,
  tags: undefined,
});

/**
 * Concurrent seals and opens while the key provider's answers arrive in any order (fast-check scheduler): every
 * value opens to what was sealed, on the writer and on a cold reader; one data key is generated per namespace and
 * one unwrap per data key (single flight), however the calls interleave.
 */
describe('encryptor under interleavings (model: a map of what was sealed)', () => {
  it('single-flight data keys, every value opens to its own plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.tuple(fc.constantFrom('', 'a', 'b'), fc.integer({ min: 0, max: 5 }), fc.string()), {
          minLength: 1,
          maxLength: 12,
        }),
        async (s, writes) => {
          const inner = ring('k1');
          const calls = { generate: 0, unwrap: 0 };
          const scheduled = (): KeyProvider => ({
            name: 'scheduled',
            currentKeyId: () => inner.currentKeyId(),
            keyIds: () => inner.keyIds(),
            generateDataKey: (id, ctx) => {
              calls.generate++;
              return s.schedule(inner.generateDataKey(id, ctx), `generate ${ctx.namespace}`);
            },
            unwrapDataKey: (id, w, ctx) => {
              calls.unwrap++;
              return s.schedule(inner.unwrapDataKey(id, w, ctx), `unwrap ${ctx.namespace}`);
            },
          });
          const writer = encryptingCodec('c', scheduled()).codec;
          const model = new Map<string, string>();
          const sealed = new Map<string, Uint8Array>();
          const remoteKey = (ns: string, k: number) => (ns === '' ? `c::k${k}` : `c:${ns}::k${k}`);
          await s.waitFor(
            Promise.all(
              writes.map(async ([ns, k, v]) => {
                const key = remoteKey(ns, k);
                const bytes = await writer.encode(rec(v), key);
                // the last seal to finish is what the tier holds
                model.set(key, v);
                sealed.set(key, bytes);
              }),
            ),
          );
          const namespaces = new Set(writes.map(([ns]) => ns));
          expect(calls.generate).toBe(namespaces.size);
          for (const [key, bytes] of sealed)
            expect((await writer.decode(bytes, key)).value).toBe(model.get(key));
          const reader = encryptingCodec('c', scheduled()).codec;
          calls.unwrap = 0;
          const opened = await s.waitFor(
            Promise.all(
              [...sealed].map(
                async ([key, bytes]) => [key, (await reader.decode(bytes, key)).value] as const,
              ),
            ),
          );
          for (const [key, value] of opened) expect(value).toBe(model.get(key));
          expect(calls.unwrap).toBe(namespaces.size);
        },
      ),
      { numRuns: 150 },
    );
  });
});

import type { Packr } from 'msgpackr';
import { msgpackr } from '../vendor/lazy-deps.js';

/**
 * The default serializer: msgpackr (fast, well maintained, binary). Configured so that the types people
 * cache round-trip: Date, Buffer/Uint8Array and other typed arrays, Map, Set, RegExp, Error, BigInt of
 * any size (int64 as bigint, larger via msgpackr's BigInt extension). Plain objects use inline records
 * (no shared structure state between processes), so any instance can read any other's bytes.
 * Class instances come back as plain objects; -0 comes back as 0.
 */
export interface Serializer {
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
}

export function createMsgpackSerializer(): Serializer {
  let packr: Packr | undefined;
  const get = () =>
    (packr ??= new (msgpackr().Packr)({
      useRecords: true,
      moreTypes: true,
      mapsAsObjects: false,
      int64AsType: 'bigint',
      useBigIntExtension: true,
    }));
  return {
    serialize: (value) => get().pack(value),
    deserialize: (bytes) => get().unpack(bytes),
  };
}

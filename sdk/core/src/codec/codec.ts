import { DecodeError, InvalidValueError } from '../errors.js';
import { type CompressionName, compress, compressionId, decompress } from './compression.js';
import { COMPRESSION_NONE, readEnvelope, writeEnvelope } from './envelope.js';
import type { StoredRecord } from './record.js';
import { createMsgpackSerializer, type Serializer } from './serializer.js';

export interface CodecOptions {
  /** Payloads at least this many bytes are compressed. `false` disables compression. Default 8192. */
  compressThreshold?: number | false;
  /** Default 'brotli' (quality 4). */
  compression?: CompressionName;
  /** Decoded payloads larger than this are rejected (guards against decompression bombs). Default 64 MiB. */
  maxDecodedBytes?: number;
  serializer?: Serializer;
}

/** [value, freshUntil, staleUntil, ttl, tags, version]; records written before versions have 5 fields. */
const RECORD_FIELDS = 6;
const RECORD_FIELDS_UNVERSIONED = 5;

/** value -> record -> msgpack -> (compress) -> envelope, and back. The only way values leave the process. */
export class Codec {
  private readonly serializer: Serializer;
  private readonly threshold: number;
  private readonly compression;
  private readonly maxDecodedBytes: number;

  constructor(options: CodecOptions = {}) {
    this.serializer = options.serializer ?? createMsgpackSerializer();
    const t = options.compressThreshold ?? 8192;
    this.threshold = t === false ? Number.POSITIVE_INFINITY : t;
    this.compression = compressionId(options.compression ?? 'brotli');
    this.maxDecodedBytes = options.maxDecodedBytes ?? 64 * 1024 * 1024;
  }

  /** Throws InvalidValueError when the value cannot be serialized. */
  encode(record: StoredRecord): Uint8Array {
    let payload: Uint8Array;
    try {
      payload = this.serializer.serialize([
        record.value,
        record.freshUntil,
        record.staleUntil,
        record.ttl,
        record.tags === undefined || record.tags.length === 0 ? null : record.tags,
        record.version,
      ]);
    } catch (error) {
      throw new InvalidValueError(
        `value cannot be serialized (${error instanceof Error ? error.message : String(error)}); cache plain data: objects, arrays, strings, numbers, bigint, Date, Map, Set, Buffer`,
        { cause: error },
      );
    }
    if (payload.length >= this.threshold && this.compression !== COMPRESSION_NONE) {
      const packed = compress(this.compression, payload);
      if (packed.length <= payload.length - (payload.length >> 3))
        return writeEnvelope(this.compression, packed);
    }
    return writeEnvelope(COMPRESSION_NONE, payload);
  }

  /** Throws DecodeError for anything that is not a complete, well-formed record written by this format. */
  decode(bytes: Uint8Array): StoredRecord {
    const env = readEnvelope(bytes);
    if (env.encryption !== undefined) {
      throw new DecodeError(
        'value is encrypted but this cache has no key ring configured; configure the same encryption keys on every instance',
      );
    }
    let payload: Uint8Array;
    try {
      payload = decompress(env.compression, env.payload, this.maxDecodedBytes);
    } catch (error) {
      throw new DecodeError('compressed payload is damaged or exceeds the decode limit', { cause: error });
    }
    let decoded: unknown;
    try {
      decoded = this.serializer.deserialize(payload);
    } catch (error) {
      throw new DecodeError('payload is not valid msgpack; the stored bytes are damaged', { cause: error });
    }
    if (
      !Array.isArray(decoded) ||
      (decoded.length !== RECORD_FIELDS && decoded.length !== RECORD_FIELDS_UNVERSIONED)
    ) {
      throw new DecodeError('payload is not an omnicache record; the stored bytes are damaged or foreign');
    }
    const [value, freshUntil, staleUntil, ttl, tags, version = 0] = decoded as unknown[];
    if (
      typeof freshUntil !== 'number' ||
      typeof staleUntil !== 'number' ||
      typeof ttl !== 'number' ||
      !Number.isFinite(freshUntil) ||
      !Number.isFinite(staleUntil) ||
      !Number.isFinite(ttl) ||
      staleUntil < freshUntil ||
      typeof version !== 'number' ||
      !Number.isSafeInteger(version) ||
      version < 0 ||
      (tags !== null && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) ||
      value === undefined
    ) {
      throw new DecodeError('record metadata is malformed; the stored bytes are damaged or foreign');
    }
    return {
      value,
      freshUntil,
      staleUntil,
      ttl,
      tags: tags === null ? undefined : (tags as string[]),
      version,
    };
  }
}

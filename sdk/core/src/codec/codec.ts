import { DecodeError, InvalidValueError } from '../errors.js';
import type { Encryptor } from '../security/encryption/encryptor.js';
import { type CompressionName, compress, compressionId, decompress } from './compression.js';
import {
  COMPRESSION_NONE,
  type CompressionId,
  readEnvelope,
  writeChecksummedEnvelope,
  writeEnvelope,
} from './envelope.js';
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
  /** Seals every value (AES-256-GCM envelope encryption, security/encryption); the remote key binds it. */
  encryptor?: Encryptor;
  /**
   * With an encryptor: the namespaces whose values are sealed (value policy 'encrypt'); values of the others are
   * stored in the clear. Default: every value is sealed.
   */
  seals?: (namespace: string) => boolean;
  /**
   * Unencrypted values carry a CRC-32 (envelope version 2), so bytes damaged in a tier are detected on read instead
   * of decoding to another value. Default false (it adds ~10 µs per 64 KB value to each remote read and write). Only
   * writing depends on it: a checksum found is always verified, and values without one are read as they are.
   */
  checksum?: boolean;
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
  private readonly encryptor: Encryptor | undefined;
  private readonly seals: ((namespace: string) => boolean) | undefined;
  private readonly envelope: (compression: CompressionId, payload: Uint8Array) => Uint8Array;

  constructor(options: CodecOptions = {}) {
    this.serializer = options.serializer ?? createMsgpackSerializer();
    const t = options.compressThreshold ?? 8192;
    this.threshold = t === false ? Number.POSITIVE_INFINITY : t;
    this.compression = compressionId(options.compression ?? 'brotli');
    this.maxDecodedBytes = options.maxDecodedBytes ?? 64 * 1024 * 1024;
    this.encryptor = options.encryptor;
    this.seals = options.seals;
    this.envelope = options.checksum === true ? writeChecksummedEnvelope : writeEnvelope;
  }

  /** Whether the value stored under `remoteKey` is sealed (every value with an encryptor, unless `seals` narrows it). */
  #sealed(remoteKey: string): boolean {
    const e = this.encryptor;
    if (e === undefined) return false;
    return this.seals === undefined || this.seals(e.namespaceOf(remoteKey));
  }

  /** Whether values are encrypted (then encode/decode need the remote key). */
  get encrypts(): boolean {
    return this.encryptor !== undefined;
  }

  /**
   * Throws InvalidValueError when the value cannot be serialized. With encryption, `remoteKey` (the key the bytes
   * are stored under) is bound into the ciphertext; the result is a Promise only when a data key must first be
   * fetched from the key provider (it rejects with EncryptionError when that fails).
   */
  encode(record: StoredRecord): Uint8Array;
  encode(record: StoredRecord, remoteKey: string): Uint8Array | Promise<Uint8Array>;
  encode(record: StoredRecord, remoteKey?: string): Uint8Array | Promise<Uint8Array> {
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
    if (payload.length > this.maxDecodedBytes) {
      // Every reader refuses to decode more than this (decompression-bomb guard): storing it would make a value
      // that can never come back (each read elsewhere would miss and reload it).
      throw new InvalidValueError(
        `value serializes to ${payload.length} bytes, over the ${this.maxDecodedBytes}-byte decode limit every reader applies; store less (split the value)`,
      );
    }
    let compression: CompressionId = COMPRESSION_NONE;
    if (payload.length >= this.threshold && this.compression !== COMPRESSION_NONE) {
      const packed = compress(this.compression, payload);
      if (packed.length <= payload.length - (payload.length >> 3)) {
        compression = this.compression;
        payload = packed;
      }
    }
    if (this.encryptor === undefined) return this.envelope(compression, payload);
    if (remoteKey === undefined) throw new TypeError('this codec encrypts: encode(record, remoteKey)');
    if (!this.#sealed(remoteKey)) return this.envelope(compression, payload);
    return this.encryptor.seal(compression, payload, remoteKey);
  }

  /**
   * Throws DecodeError for anything that is not a complete, well-formed record written by this format (with
   * encryption: EncryptionError, a DecodeError with a `reason`; a checksummed record whose bytes changed:
   * ChecksumError). With encryption the result is a Promise only when the value's data key must first be unwrapped
   * by the key provider.
   */
  decode(bytes: Uint8Array): StoredRecord;
  decode(bytes: Uint8Array, remoteKey: string): StoredRecord | Promise<StoredRecord>;
  decode(bytes: Uint8Array, remoteKey?: string): StoredRecord | Promise<StoredRecord> {
    const env = readEnvelope(bytes);
    if (this.encryptor !== undefined) {
      if (remoteKey === undefined) throw new TypeError('this codec encrypts: decode(bytes, remoteKey)');
      // Outside the sealed namespaces values are in the clear; inside them open() refuses a clear one.
      if (env.encryption === undefined && !this.#sealed(remoteKey))
        return this.record(env.compression, env.payload);
      const opened = this.encryptor.open(env, bytes, remoteKey);
      return opened instanceof Promise
        ? opened.then((p) => this.record(env.compression, p))
        : this.record(env.compression, opened);
    }
    if (env.encryption !== undefined) {
      throw new DecodeError(
        'value is encrypted but this cache has no key ring configured; configure the same encryption keys on every instance',
      );
    }
    return this.record(env.compression, env.payload);
  }

  /** Decompresses and deserializes an (opened) envelope payload into a record. */
  private record(compression: CompressionId, stored: Uint8Array): StoredRecord {
    if (compression === COMPRESSION_NONE && stored.length > this.maxDecodedBytes) {
      throw new DecodeError(
        `payload is ${stored.length} bytes, over the decode limit ${this.maxDecodedBytes}`,
      );
    }
    let payload: Uint8Array;
    try {
      payload = decompress(compression, stored, this.maxDecodedBytes);
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

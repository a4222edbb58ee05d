export { ChecksumError } from './checksum.js';
export { Codec, type CodecOptions } from './codec.js';
export type { CompressionName } from './compression.js';
export {
  COMPRESSION_BROTLI,
  COMPRESSION_DEFLATE,
  COMPRESSION_NONE,
  ENVELOPE_VERSION,
  ENVELOPE_VERSION_CHECKSUM,
  type Envelope,
  type EnvelopeEncryption,
  readEnvelope,
  writeEnvelope,
} from './envelope.js';
export type { StoredRecord } from './record.js';
export { createMsgpackSerializer, type Serializer } from './serializer.js';

export { type AuditEntry, AuditLog, type AuditLogOptions, openAuditLog } from './audit-log.js';
export { type CanonicalValue, canonicalJson } from './canonical.js';
export {
  type AuditCheckpoint,
  type CheckpointKey,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export { JsonlAuditSink, type JsonlAuditSinkOptions, jsonlAuditSink } from './jsonl-sink.js';
export {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditOutcome,
  type AuditRecord,
  GENESIS_HASH,
  hashRecord,
  parseRecord,
} from './record.js';
export type { AuditSink } from './sink.js';
export {
  type AuditProblem,
  type AuditVerifyOptions,
  type AuditVerifyReport,
  TAMPER_KINDS,
  type TamperKind,
  verifyAuditLog,
} from './verify.js';

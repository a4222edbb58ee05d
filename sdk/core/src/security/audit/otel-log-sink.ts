import type * as ApiLogs from '@opentelemetry/api-logs';
import { AUDIT_ATTR, AUDIT_EVENT_NAME, INSTRUMENTATION_SCOPE } from '../../telemetry/conventions.js';
import { importPeers } from '../../vendor/peer.js';
import type { AuditRecord } from './record.js';
import type { AuditSink } from './sink.js';

const [apiLogs] = await importPeers<[typeof ApiLogs]>(['@opentelemetry/api-logs'], 'omnicache/otel-logs');

export interface OtelLogAuditSinkOptions {
  /** Default: the global LoggerProvider (set by the OpenTelemetry SDK). */
  loggerProvider?: ApiLogs.LoggerProvider;
}

/**
 * Emits every audit record as an OpenTelemetry log record (event name `omnicache.audit`, attributes AUDIT_ATTR).
 * Emitting hands the record to the SDK's processor, so this sink acknowledges at once: durability is the JSONL
 * sink's job, this one is for shipping the trail to a log backend.
 */
export class OtelLogAuditSink implements AuditSink {
  readonly name = 'otel-logs';
  readonly #logger: ApiLogs.Logger;

  constructor(options: OtelLogAuditSinkOptions = {}) {
    this.#logger = (options.loggerProvider ?? apiLogs.logs.getLoggerProvider()).getLogger(
      INSTRUMENTATION_SCOPE,
    );
  }

  async open(): Promise<undefined> {
    return undefined;
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    for (const r of records) {
      this.#logger.emit({
        eventName: AUDIT_EVENT_NAME,
        timestamp: new Date(r.time),
        severityNumber: r.outcome === 'success' ? apiLogs.SeverityNumber.INFO : apiLogs.SeverityNumber.WARN,
        severityText: r.outcome === 'success' ? 'INFO' : 'WARN',
        body: r.action,
        attributes: {
          [AUDIT_ATTR.seq]: r.seq,
          [AUDIT_ATTR.time]: r.time,
          [AUDIT_ATTR.actor]: r.actor,
          [AUDIT_ATTR.action]: r.action,
          [AUDIT_ATTR.target]: r.target,
          [AUDIT_ATTR.outcome]: r.outcome,
          [AUDIT_ATTR.details]: JSON.stringify(r.details),
          [AUDIT_ATTR.prevHash]: r.prev,
          [AUDIT_ATTR.hash]: r.hash,
        },
      });
    }
  }

  async close(): Promise<void> {}
}

export function otelLogAuditSink(options: OtelLogAuditSinkOptions = {}): OtelLogAuditSink {
  return new OtelLogAuditSink(options);
}

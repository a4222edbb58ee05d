/**
 * omnicache/otel-logs: an audit sink that emits audit records as OpenTelemetry log records. Needs
 * `@opentelemetry/api-logs` installed (optional peer of omnicache) and, to export them, a LoggerProvider from the
 * OpenTelemetry SDK (`@opentelemetry/sdk-logs`).
 */
export {
  OtelLogAuditSink,
  type OtelLogAuditSinkOptions,
  otelLogAuditSink,
} from './security/audit/otel-log-sink.js';

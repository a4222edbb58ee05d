import type { Logger, LoggerProvider, LogRecord } from '@opentelemetry/api-logs';
import { describe, expect, it } from 'vitest';
import { otelLogAuditSink } from '../../src/otel-logs.js';
import { AuditLog } from '../../src/security/audit/audit-log.js';
import { hashRecord } from '../../src/security/audit/record.js';
import { AUDIT_ATTR, AUDIT_EVENT_NAME, INSTRUMENTATION_SCOPE } from '../../src/telemetry/conventions.js';

/** Records what the sink emits (the API-level contract; exporting is the OpenTelemetry SDK's job). */
function memoryProvider() {
  const emitted: { scope: string; record: LogRecord }[] = [];
  const provider: LoggerProvider = {
    getLogger: (scope: string): Logger => ({
      emit: (record: LogRecord) => {
        emitted.push({ scope, record });
      },
      enabled: () => true,
    }),
  };
  return { provider, emitted };
}

describe('omnicache/otel-logs audit sink', () => {
  it('emits one log record per audit record with the chain fields as attributes', async () => {
    const { provider, emitted } = memoryProvider();
    const log = await AuditLog.open({
      sinks: [otelLogAuditSink({ loggerProvider: provider })],
      actor: 'svc-a',
    });
    const r1 = await log.append({
      action: 'erasure',
      target: 'user-42',
      outcome: 'success',
      details: { l1: 3 },
    });
    const r2 = await log.append({ action: 'access.denied', target: 'ns:k', outcome: 'denied' });
    expect(emitted).toHaveLength(2);
    const [a, b] = emitted.map((e) => e.record);
    expect(emitted[0]!.scope).toBe(INSTRUMENTATION_SCOPE);
    expect(a!.eventName).toBe(AUDIT_EVENT_NAME);
    expect(a!.body).toBe('erasure');
    expect(a!.severityText).toBe('INFO');
    expect(b!.severityText).toBe('WARN');
    expect(a!.attributes).toEqual({
      [AUDIT_ATTR.seq]: 1,
      [AUDIT_ATTR.time]: r1.time,
      [AUDIT_ATTR.actor]: 'svc-a',
      [AUDIT_ATTR.action]: 'erasure',
      [AUDIT_ATTR.target]: 'user-42',
      [AUDIT_ATTR.outcome]: 'success',
      [AUDIT_ATTR.details]: '{"l1":3}',
      [AUDIT_ATTR.prevHash]: '0'.repeat(64),
      [AUDIT_ATTR.hash]: r1.hash,
    });
    // A log backend can re-verify the chain from the attributes alone.
    expect(b!.attributes?.[AUDIT_ATTR.prevHash]).toBe(r1.hash);
    expect(hashRecord({ ...r2, details: JSON.parse(String(b!.attributes?.[AUDIT_ATTR.details])) })).toBe(
      r2.hash,
    );
    await log.close();
  });
});

import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { createPiiRedactor } from '../../src/security/pii/redactor.js';
import { SPANS } from '../../src/telemetry/conventions.js';
import { traceCache } from '../../src/telemetry/tracing.js';

describe('PII never reaches span status or exception events', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const failing = () => {
    throw new Error('no account for jane.doe@example.com (card 4111 1111 1111 1111, from 192.0.2.44)');
  };

  it('redacts loader error messages and stacks by default, with stable keyed markers when given a key', async () => {
    const redactor = createPiiRedactor({ key: 'tracing-redaction-test-key' });
    for (const options of [{}, { redactor }]) {
      exporter.reset();
      const cache = createCache({ name: 'redacted', l1: { capacity: 10 } });
      const stop = traceCache(cache, { tracerProvider: provider, ...options });
      const err = await cache.getOrSet('k', failing).catch((e: unknown) => e as Error);
      // The caller still gets the real error.
      expect(String((err as Error).cause ?? err)).toContain('jane.doe@example.com');
      const spans = exporter.getFinishedSpans();
      const dump = JSON.stringify(
        spans.map((s) => ({ status: s.status, events: s.events, attributes: s.attributes })),
      );
      expect(dump).not.toContain('jane.doe@example.com');
      expect(dump).not.toContain('4111 1111 1111 1111');
      expect(dump).not.toContain('192.0.2.44');
      expect(dump).toMatch(/<email:[0-9a-f]{6}>/);
      const loader = spans.find((s) => s.name === SPANS.loader)!;
      expect(loader.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toMatch(
        /^no account for <email:[0-9a-f]{6}> \(card <credit_card:[0-9a-f]{6}>, from <ipv4:[0-9a-f]{6}>\)$/,
      );
      if ('redactor' in options) {
        expect(loader.status.message).toBe(
          `no account for ${redactor.marker('email', 'jane.doe@example.com')} (card ${redactor.marker('credit_card', '4111 1111 1111 1111')}, from ${redactor.marker('ipv4', '192.0.2.44')})`,
        );
      }
      stop();
    }
  });

  it('records messages verbatim only when redaction is turned off', async () => {
    exporter.reset();
    const cache = createCache({ name: 'verbatim', l1: { capacity: 10 } });
    traceCache(cache, { tracerProvider: provider, redactor: false });
    await cache.getOrSet('k', failing).catch(() => undefined);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.status))).toContain(
      'jane.doe@example.com',
    );
  });
});

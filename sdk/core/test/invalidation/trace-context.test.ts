import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { ATTR, SPANS } from '../../src/telemetry/conventions.js';
import { FakeHub } from '../helpers/fake-bus.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  context.disable();
  trace.disable();
});

describe('trace context across the bus', () => {
  it('the receiving instance applies the message in a consumer span whose parent is the invalidating span', async () => {
    const hub = new FakeHub();
    const a = createCache({ name: 'tr', l1: { capacity: 10 }, bus: hub.bus() });
    const b = createCache({ name: 'tr', l1: { capacity: 10 }, bus: hub.bus() });
    await Promise.all([a.bus?.ready, b.bus?.ready]);
    const tracer = provider.getTracer('app');
    let origin: { traceId: string; spanId: string } | undefined;
    await tracer.startActiveSpan('orders.update', async (span) => {
      origin = span.spanContext();
      await a.invalidate('order:1');
      span.end();
    });
    await new Promise((r) => setTimeout(r, 5));
    const applied = exporter.getFinishedSpans().filter((s) => s.name === SPANS.invalidationApply);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.spanContext().traceId).toBe(origin!.traceId);
    expect(applied[0]!.parentSpanContext?.spanId).toBe(origin!.spanId);
    expect(applied[0]!.attributes[ATTR.cache]).toBe('tr');
    expect(applied[0]!.attributes[ATTR.busTransport]).toBe('redis');
    // No active span on the origin: the message carries no trace and the receiver starts none.
    exporter.reset();
    await a.invalidate('order:2');
    await new Promise((r) => setTimeout(r, 5));
    const untraced = hub.log.filter((p) => p.includes('order:2'));
    expect(untraced.some((p) => p.includes('traceparent'))).toBe(false);
    expect(exporter.getFinishedSpans().filter((s) => s.name === SPANS.invalidationApply)).toHaveLength(0);
    await Promise.all([a.close(), b.close()]);
  });
});

import { createHmac } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { ATTR, SPANS } from '../../src/telemetry/conventions.js';
import { traceCache } from '../../src/telemetry/tracing.js';
import { FakeTier } from '../helpers/fake-tier.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

const byName = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('traceCache: spans for the slow paths', () => {
  it('an L1 hit creates no span; a miss creates get_or_set with tier and loader children', async () => {
    const l2 = new FakeTier();
    const cache = createCache({ name: 'traced', l1: { capacity: 10 }, l2 });
    traceCache(cache, { tracerProvider: provider });
    let inside: { spanId: string | undefined; traceparent: string | undefined } = {
      spanId: undefined,
      traceparent: undefined,
    };
    await cache.getOrSet('user:1', () => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      inside = { spanId: trace.getActiveSpan()?.spanContext().spanId, traceparent: carrier.traceparent };
      return { id: 1 };
    });
    const [root] = byName(SPANS.getOrSet);
    const [loader] = byName(SPANS.loader);
    const tierOps = byName(SPANS.tierOperation);
    expect(root).toBeDefined();
    expect(loader).toBeDefined();
    expect(root!.attributes[ATTR.result]).toBe('miss');
    expect(root!.attributes[ATTR.cache]).toBe('traced');
    expect(parentId(loader!)).toBe(root!.spanContext().spanId);
    expect(loader!.attributes[ATTR.outcome]).toBe('success');
    // The L2 read, and the write of the loaded value, are children of the getOrSet span.
    expect(tierOps.map((s) => s.attributes[ATTR.operation]).sort()).toEqual(['get', 'set']);
    for (const s of tierOps) {
      expect(parentId(s)).toBe(root!.spanContext().spanId);
      expect(s.attributes[ATTR.tier]).toBe('l2');
      expect(s.attributes[ATTR.tierKind]).toBe('redis');
    }
    // W3C context propagates into the loader: its active span is the loader span, and traceparent carries it.
    expect(inside.spanId).toBe(loader!.spanContext().spanId);
    expect(inside.traceparent).toBe(`00-${root!.spanContext().traceId}-${loader!.spanContext().spanId}-01`);
    // No key anywhere without opt-in.
    for (const s of exporter.getFinishedSpans()) {
      expect(JSON.stringify(s.attributes)).not.toContain('user:1');
      expect(s.attributes[ATTR.keyHmac]).toBeUndefined();
    }

    exporter.reset();
    expect(await cache.getOrSet('user:1', () => ({ id: 2 }))).toEqual({ id: 1 });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('a hit in L2 is result=hit; the key is recorded only as an HMAC when opted in', async () => {
    const l2 = new FakeTier();
    const writer = createCache({ name: 'c', l1: { capacity: 10 }, l2 });
    await writer.set('k', 'v');
    const reader = createCache({ name: 'c', l1: { capacity: 10 }, l2 });
    traceCache(reader, { tracerProvider: provider, keyHmacSecret: 's3cret' });
    expect(await reader.getOrSet('k', () => 'loaded')).toBe('v');
    const [root] = byName(SPANS.getOrSet);
    expect(root!.attributes[ATTR.result]).toBe('hit');
    expect(root!.attributes[ATTR.keyHmac]).toBe(createHmac('sha256', 's3cret').update('k').digest('hex'));
    expect(byName(SPANS.loader)).toHaveLength(0);
  });

  it('records loader errors, remote tier failures and single-flight joins', async () => {
    const l2 = new FakeTier();
    l2.failWith = new Error('connection reset');
    const cache = createCache({ name: 'e', l1: { capacity: 10 }, l2 });
    const stop = traceCache(cache, { tracerProvider: provider });
    let release: (v: string) => void = () => undefined;
    const slow = new Promise<string>((r) => {
      release = r;
    });
    const a = cache.getOrSet('k', () => slow);
    const b = cache.getOrSet('k', () => 'never');
    release('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    const roots = byName(SPANS.getOrSet);
    expect(roots).toHaveLength(2);
    expect(roots.filter((s) => s.attributes[ATTR.coalesced] === true)).toHaveLength(1);
    const failedTier = byName(SPANS.tierOperation).find((s) => s.attributes[ATTR.operation] === 'get')!;
    expect(failedTier.attributes[ATTR.outcome]).toBe('error');
    expect(failedTier.status.code).toBe(2);

    exporter.reset();
    await expect(cache.getOrSet('boom', () => Promise.reject(new TypeError('db down')))).rejects.toThrow(
      /db down/,
    );
    const [root] = byName(SPANS.getOrSet);
    const [loader] = byName(SPANS.loader);
    expect(root!.attributes[ATTR.result]).toBe('error');
    expect(root!.status.code).toBe(2);
    expect(loader!.attributes[ATTR.outcome]).toBe('error');
    expect(loader!.attributes[ATTR.errorType]).toBe('TypeError');

    stop();
    exporter.reset();
    await cache.getOrSet('after-stop', () => 1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

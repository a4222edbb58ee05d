import { type HistogramMetricData, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { ATTR, METRICS } from '../../src/telemetry/conventions.js';
import { instrument } from '../../src/telemetry/instrument.js';
import { FakeHub } from '../helpers/fake-bus.js';
import { collect, point, TestReader } from '../helpers/metric-reader.js';

describe('invalidation metrics', () => {
  it('invalidations by cause and source, bus messages by outcome, queue, gaps and lag', async () => {
    const hub = new FakeHub();
    const a = createCache({ name: 'm', l1: { capacity: 10 }, bus: { bus: hub.bus(), heartbeatMs: 60_000 } });
    const b = createCache({ name: 'm', l1: { capacity: 10 }, bus: { bus: hub.bus(), heartbeatMs: 60_000 } });
    await Promise.all([a.bus?.ready, b.bus?.ready]);
    const reader = new TestReader();
    instrument(b, { meterProvider: new MeterProvider({ readers: [reader] }), tracerProvider: false });
    await a.invalidate('x');
    await a.deleteByTag('t');
    await new Promise((r) => setTimeout(r, 5));
    hub.lose = 1;
    await a.delete('y'); // lost
    await a.invalidate('z'); // reveals the hole
    hub.deliver('garbage');
    await new Promise((r) => setTimeout(r, 5));
    const got = await collect(reader);
    const inv = got.get(METRICS.invalidations.name);
    const by = (cause: string, source: string) =>
      point(inv, { [ATTR.cache]: 'm', [ATTR.invalidationCause]: cause, [ATTR.invalidationSource]: source });
    expect(by('invalidate', 'bus')).toBe(2);
    expect(by('tag', 'bus')).toBe(1);
    expect(by('gap', 'bus')).toBe(1);
    const msgs = got.get(METRICS.busMessages.name);
    const outcome = (o: string) => point(msgs, { [ATTR.busTransport]: 'redis', [ATTR.busOutcome]: o });
    expect(outcome('received')).toBe(3);
    expect(outcome('rejected')).toBe(1);
    expect(point(got.get(METRICS.busGaps.name), { [ATTR.busTransport]: 'redis' })).toBe(1);
    expect(point(got.get(METRICS.busQueued.name), { [ATTR.busTransport]: 'redis' })).toBe(0);
    const lag = got.get(METRICS.busLag.name) as HistogramMetricData | undefined;
    expect(lag?.dataPoints[0]?.value.count).toBe(3);
    // The origin counts its own invalidations as local.
    const aStats = a.stats().invalidation!;
    expect(aStats.invalidations).toContainEqual({ cause: 'invalidate', source: 'local', count: 2 });
    expect(aStats.messages.published).toBe(4);
    await Promise.all([a.close(), b.close()]);
  });
});

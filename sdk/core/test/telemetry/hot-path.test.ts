import type { Meter, MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api';
import { MeterProvider as SdkMeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { instrument } from '../../src/telemetry/instrument.js';
import { FakeTier } from '../helpers/fake-tier.js';

/** Providers whose tracers and histograms count every call made into them. */
function countingProviders() {
  const calls = { spans: 0, records: 0 };
  const realTracers = new BasicTracerProvider();
  const tracerProvider: TracerProvider = {
    getTracer(name, version, options) {
      const t = realTracers.getTracer(name, version, options);
      const counted: Tracer = {
        startSpan: (...a: Parameters<Tracer['startSpan']>) => {
          calls.spans++;
          return t.startSpan(...a);
        },
        startActiveSpan: ((...a: unknown[]) => {
          calls.spans++;
          return (t.startActiveSpan as (...x: unknown[]) => unknown)(...a);
        }) as Tracer['startActiveSpan'],
      };
      return counted;
    },
  };
  const realMeters = new SdkMeterProvider();
  const meterProvider: MeterProvider = {
    getMeter(name, version, options) {
      const m = realMeters.getMeter(name, version, options);
      return new Proxy(m, {
        get(target, prop, receiver) {
          if (prop === 'createHistogram') {
            return (...a: Parameters<Meter['createHistogram']>) => {
              const h = target.createHistogram(...a);
              return {
                record: (...r: Parameters<typeof h.record>) => {
                  calls.records++;
                  h.record(...r);
                },
              };
            };
          }
          return Reflect.get(target, prop, receiver);
        },
      });
    },
  };
  return { calls, tracerProvider, meterProvider };
}

it('with metrics and spans on, an L1 hit makes no OpenTelemetry call (a miss does)', async () => {
  const { calls, tracerProvider, meterProvider } = countingProviders();
  const cache = createCache({ name: 'hot', l1: { capacity: 100 }, l2: new FakeTier() });
  await cache.set('k', { v: 1 });
  const inst = instrument(cache, { meterProvider, tracerProvider });
  for (let i = 0; i < 10_000; i++) {
    await cache.get('k');
    await cache.getOrSet('k', () => ({ v: 2 }));
  }
  expect(cache.stats().tiers.l1.hits).toBe(20_000);
  expect(calls).toEqual({ spans: 0, records: 0 });

  await cache.getOrSet('cold', () => ({ v: 3 }));
  expect(calls.spans).toBeGreaterThan(0);
  expect(calls.records).toBeGreaterThan(0);
  inst.stop();
});

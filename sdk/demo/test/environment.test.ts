import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_VARIABLES, DemoEnvironmentError, readDemoEnvironment } from '../src/environment.js';

// The demo's own variables (bus, prefetch, OTLP). The tiers' variables are the core's (loadCacheConfig, tested there);
// the demo run against real servers is test/demo/demo-backends.test.ts.
describe('readDemoEnvironment', () => {
  it('nothing set (or empty): no bus, no OTLP, the default service name', () => {
    expect(readDemoEnvironment({})).toEqual({
      bus: undefined,
      prefetch: false,
      otlp: undefined,
      serviceName: 'omnicache-demo',
    });
    expect(
      readDemoEnvironment({ OMNICACHE_BUS_KAFKA_BROKERS: ' ', OTEL_EXPORTER_OTLP_ENDPOINT: '' }),
    ).toEqual({
      bus: undefined,
      prefetch: false,
      otlp: undefined,
      serviceName: 'omnicache-demo',
    });
  });

  it('reads the Kafka brokers, the Redis URL and the OTLP settings', () => {
    expect(
      readDemoEnvironment({ OMNICACHE_BUS_KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:19092,' }).bus,
    ).toEqual({
      transport: 'kafka',
      brokers: ['127.0.0.1:9092', 'kafka-2:19092'],
    });
    expect(readDemoEnvironment({ OMNICACHE_BUS_REDIS_URL: 'rediss://u:p@127.0.0.1:6380/2' }).bus).toEqual({
      transport: 'redis',
      url: 'rediss://u:p@127.0.0.1:6380/2',
    });
    expect(
      readDemoEnvironment({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_METRIC_EXPORT_INTERVAL: '1500',
        OTEL_SERVICE_NAME: 'checkout',
      }),
    ).toEqual({
      bus: undefined,
      prefetch: false,
      otlp: { endpoint: 'http://127.0.0.1:4318', exportIntervalMs: 1500 },
      serviceName: 'checkout',
    });
    // the interval alone does not turn OTLP on
    expect(readDemoEnvironment({ OTEL_METRIC_EXPORT_INTERVAL: '1000' }).otlp).toBeUndefined();
  });

  it('OMNICACHE_PREFETCH=on turns prefetch on for the shop cache, over the Kafka of the bus', () => {
    const kafka = { OMNICACHE_BUS_KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(readDemoEnvironment({ ...kafka, OMNICACHE_PREFETCH: 'on' }).prefetch).toBe(true);
    expect(readDemoEnvironment({ ...kafka, OMNICACHE_PREFETCH: 'off' }).prefetch).toBe(false);
    expect(readDemoEnvironment(kafka).prefetch).toBe(false);
    expect(() => readDemoEnvironment({ OMNICACHE_PREFETCH: 'on' })).toThrow(
      'OMNICACHE_PREFETCH=on needs OMNICACHE_BUS_KAFKA_BROKERS',
    );
    expect(() =>
      readDemoEnvironment({ OMNICACHE_BUS_REDIS_URL: 'redis://127.0.0.1:6379', OMNICACHE_PREFETCH: 'on' }),
    ).toThrow('OMNICACHE_PREFETCH=on needs OMNICACHE_BUS_KAFKA_BROKERS');
    expect(() => readDemoEnvironment({ ...kafka, OMNICACHE_PREFETCH: 'yes' })).toThrow(
      'OMNICACHE_PREFETCH="yes": must be on or off',
    );
  });

  it('a wrong value is an error naming every bad variable and what it should be', () => {
    const bad = () =>
      readDemoEnvironment({
        OMNICACHE_BUS_KAFKA_BROKERS: '127.0.0.1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://127.0.0.1:4317',
        OTEL_METRIC_EXPORT_INTERVAL: '1s',
      });
    expect(bad).toThrow(DemoEnvironmentError);
    expect(bad).toThrow(
      'invalid demo environment: OMNICACHE_BUS_KAFKA_BROKERS="127.0.0.1": must be a comma-separated list of host:port, e.g. 127.0.0.1:9092; ' +
        'OTEL_EXPORTER_OTLP_ENDPOINT="grpc://127.0.0.1:4317": must be an http(s) URL, e.g. http://127.0.0.1:4318; ' +
        'OTEL_METRIC_EXPORT_INTERVAL="1s": must be a number of milliseconds',
    );
    expect(() => readDemoEnvironment({ OMNICACHE_BUS_REDIS_URL: '127.0.0.1:6379' })).toThrow(
      'OMNICACHE_BUS_REDIS_URL="127.0.0.1:6379": must be a redis:// or rediss:// URL',
    );
    expect(() => readDemoEnvironment({ OTEL_METRIC_EXPORT_INTERVAL: '0' })).toThrow(
      'OTEL_METRIC_EXPORT_INTERVAL="0": must be a positive number of milliseconds',
    );
    expect(() =>
      readDemoEnvironment({
        OMNICACHE_BUS_KAFKA_BROKERS: '127.0.0.1:9092',
        OMNICACHE_BUS_REDIS_URL: 'redis://x',
      }),
    ).toThrow('set OMNICACHE_BUS_KAFKA_BROKERS or OMNICACHE_BUS_REDIS_URL, not both');
  });

  it('docs/demo.md documents exactly these variables', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/demo.md', import.meta.url)), 'utf8');
    const table = doc.slice(doc.indexOf('| `OMNICACHE_BUS_KAFKA_BROKERS`'));
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...DEMO_VARIABLES]);
  });
});

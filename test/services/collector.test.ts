import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { minimalCollectorConfig, startCollector, validateCollectorConfig } from './collector.js';
import { freePort } from './free-port.js';

async function ports() {
  return {
    otlpGrpc: await freePort(),
    otlpHttp: await freePort(),
    prometheus: await freePort(),
    health: await freePort(),
  };
}

describe('the OpenTelemetry Collector', () => {
  it('validates a valid config and rejects an invalid one', async () => {
    const ok = await validateCollectorConfig(
      minimalCollectorConfig(await ports(), 'http://127.0.0.1:9/api/v1/write'),
    );
    expect(ok.output).not.toMatch(/error/i);
    expect(ok.ok).toBe(true);

    const unknown = minimalCollectorConfig(await ports()).replace(
      'exporters: [debug]',
      'exporters: [nosuchexporter]',
    );
    const bad = await validateCollectorConfig(unknown);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/nosuchexporter/);
  });

  it('runs, turns OTLP/HTTP metrics into Prometheus series, and stop() ends the process', async () => {
    const p = await ports();
    const otel = await startCollector({
      config: minimalCollectorConfig(p),
      healthCheckUrl: `http://127.0.0.1:${p.health}/`,
    });
    try {
      const now = `${Date.now()}000000`;
      const body = {
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'harness' } }] },
            scopeMetrics: [
              {
                scope: { name: 'harness' },
                metrics: [
                  {
                    name: 'harness_checks',
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: true,
                      dataPoints: [{ asInt: '42', startTimeUnixNano: now, timeUnixNano: now }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${p.otlpHttp}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      await expect
        .poll(async () => (await fetch(`http://127.0.0.1:${p.prometheus}/metrics`)).text(), {
          timeout: 15_000,
          interval: 250,
        })
        .toMatch(/harness_checks_total\{[^}]*\} 42/);
    } finally {
      await otel.stop();
    }
    expect(pidAlive(otel.pid)).toBe(false);
  });
});

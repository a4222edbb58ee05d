import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTR, METRICS, prometheusLabel, prometheusName } from 'omnicache/conventions';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, resolveSeries } from '../src/service/config.js';

describe('configuration', () => {
  it('fills the documented production defaults', () => {
    const c = parseConfig({
      prometheus: { url: 'http://127.0.0.1:9090' },
      series: [{ name: 'hit_ratio', preset: 'hit_ratio' }],
    });
    expect(c.evaluationInterval).toBe(30_000);
    expect(c.backfill).toBe(7 * 86_400_000);
    expect(c.rateWindow).toBe(300_000);
    expect(c.alerting).toMatchObject({ fireAt: 0.5, resolveBelow: 0.3, fireAfter: 1, resolveAfter: 3 });
    expect(c.tfjs.enabled).toBe(true);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 9466 });
  });

  it('reads YAML with durations as strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anomaly-config-'));
    const file = join(dir, 'anomaly.yml');
    writeFileSync(
      file,
      `prometheus:\n  url: http://127.0.0.1:9090\nevaluationInterval: 2s\nbackfill: 1h\nseries:\n  - name: errors\n    query: sum(rate(x[1m]))\n`,
    );
    const c = loadConfig(file);
    expect(c.evaluationInterval).toBe(2000);
    expect(c.backfill).toBe(3_600_000);
  });

  it('lists every problem with its path', () => {
    let message = '';
    try {
      parseConfig({
        prometheus: { url: 'ftp://x' },
        evaluationInterval: 'soon',
        alerting: { fireAt: 0.2, resolveBelow: 0.4 },
        series: [{ name: 'bad name', preset: 'hit_ratio', query: 'up' }],
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('prometheus.url');
    expect(message).toContain('evaluationInterval');
    expect(message).toContain('"soon" is not a duration');
    expect(message).toContain('resolveBelow must not exceed fireAt');
    expect(message).toContain('series.0.name');
    expect(message).toContain('give exactly one of preset or query');
  });

  it('preset queries use the names of the SDK conventions', () => {
    const q = resolveSeries({ name: 'h', preset: 'hit_ratio', kind: 'gauge', severity: 'warning' }, 60_000);
    expect(q.query).toContain(prometheusName(METRICS.requests));
    expect(q.query).toContain(prometheusLabel(ATTR.cache));
    expect(q.query).toContain('[60s]');
    expect(q.alertname).toBe('OmniCacheAnomalyHitRatio');
    const own = resolveSeries(
      { name: 'l', preset: 'remote_latency_mean', kind: 'gauge', severity: 'warning', rateWindow: 2000 },
      60_000,
    );
    expect(own.query).toContain('[2s]');
    expect(own.query).not.toContain('[60s]');
    expect(own.direction).toBe('up');
    expect(q.direction).toBe('down');
    const median = resolveSeries(
      { name: 'l', preset: 'remote_latency_p50', kind: 'gauge', severity: 'warning' },
      1000,
    );
    expect(median.query).toBe(
      `histogram_quantile(0.5, sum by (${prometheusLabel(ATTR.cache)}, ${prometheusLabel(ATTR.tier)}, le) (rate(${prometheusName(METRICS.tierOperationDuration)}_bucket[1s])))`,
    );
    expect(median).toMatchObject({
      alertname: 'OmniCacheAnomalyRemoteLatency',
      direction: 'up',
      minRelativeChange: 9,
    });
    const own2 = resolveSeries(
      { name: 'x', query: 'up', kind: 'gauge', severity: 'warning', direction: 'down' },
      60_000,
    );
    expect(own2.direction).toBe('down');
    expect(
      resolveSeries({ name: 'x', query: 'up', kind: 'gauge', severity: 'warning' }, 60_000).direction,
    ).toBe('both');
  });
});

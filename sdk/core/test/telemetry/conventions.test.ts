import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ALL_METRICS,
  ATTR,
  ATTRIBUTES,
  allowedValues,
  METRICS,
  prometheusBaseName,
  prometheusLabel,
  prometheusName,
  prometheusSeriesNames,
  SPAN_CONVENTIONS,
  toPrometheusName,
} from '../../src/telemetry/conventions.js';

describe('telemetry conventions', () => {
  it('names every metric under omnicache. with OpenTelemetry syntax and no unit word in the name', () => {
    const names = new Set<string>();
    for (const m of ALL_METRICS) {
      expect(m.name).toMatch(/^omnicache(\.[a-z][a-z0-9_]*)+$/);
      expect(m.name).not.toMatch(/(seconds|bytes|total)$/);
      expect(m.description.length).toBeGreaterThan(10);
      expect(names.has(m.name)).toBe(false);
      names.add(m.name);
    }
  });

  it('never uses a cache key or a span-only attribute on a metric', () => {
    const metricKeys = new Set(
      Object.values(ATTRIBUTES)
        .filter((a) => a.scope === 'metric')
        .map((a) => a.key),
    );
    for (const m of ALL_METRICS) {
      expect(m.attributes[0]).toBe(ATTR.cache);
      for (const key of m.attributes) {
        expect(metricKeys.has(key), `${m.name} uses ${key}`).toBe(true);
        expect(key).not.toMatch(/key/);
      }
      for (const narrowed of Object.keys(m.values ?? {})) {
        expect(m.attributes).toContain(narrowed);
      }
    }
  });

  it('translates to Prometheus names like the collector (UnderscoreEscapingWithSuffixes)', () => {
    expect(prometheusName(METRICS.requests)).toBe('omnicache_requests_total');
    expect(prometheusName(METRICS.tierOperationDuration)).toBe('omnicache_tier_operation_duration_seconds');
    expect(prometheusName(METRICS.loaderDuration)).toBe('omnicache_loader_duration_seconds');
    expect(prometheusName(METRICS.tierSize)).toBe('omnicache_tier_size_bytes');
    expect(prometheusName(METRICS.tierEntries)).toBe('omnicache_tier_entries');
    expect(prometheusName(METRICS.arcTarget)).toBe('omnicache_arc_target');
    expect(prometheusName(METRICS.arcGhostHits)).toBe('omnicache_arc_ghost_hits_total');
    expect(prometheusBaseName(METRICS.arcGhostHits)).toBe('omnicache_arc_ghost_hits');
    expect(prometheusSeriesNames(METRICS.loaderDuration)).toEqual([
      'omnicache_loader_duration_seconds_bucket',
      'omnicache_loader_duration_seconds_sum',
      'omnicache_loader_duration_seconds_count',
    ]);
    // generic rules of the translation
    expect(toPrometheusName('a.b', '1', 'ObservableGauge')).toBe('a_b_ratio');
    expect(toPrometheusName('a.b', '1', 'ObservableCounter')).toBe('a_b_total');
    expect(toPrometheusName('a.size', 'By', 'ObservableGauge')).toBe('a_size_bytes');
    expect(toPrometheusName('a.bytes', 'By', 'ObservableGauge')).toBe('a_bytes');
    expect(toPrometheusName('net.io', 'By/s', 'ObservableGauge')).toBe('net_io_bytes_per_second');
    expect(toPrometheusName('x.total.y', '{req}', 'ObservableCounter')).toBe('x_y_total');
    expect(prometheusLabel(ATTR.cache)).toBe('omnicache_cache_name');
    expect(prometheusLabel(ATTR.evictionReason)).toBe('omnicache_eviction_reason');
  });

  it('gives distinct Prometheus names and valid label/value sets', () => {
    const prom = ALL_METRICS.flatMap(prometheusSeriesNames);
    expect(new Set(prom).size).toBe(prom.length);
    for (const name of prom) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
    for (const m of ALL_METRICS) {
      for (const key of m.attributes) {
        const values = allowedValues(m, key);
        if (values) for (const v of values) expect(v).toMatch(/^[a-z0-9_-]+$/);
      }
    }
    expect(allowedValues(METRICS.arcGhostHits, ATTR.arcList)).toEqual(['b1', 'b2']);
    expect(allowedValues(METRICS.arcListSize, ATTR.arcList)).toEqual(['t1', 't2', 'b1', 'b2']);
  });

  it('names spans under omnicache.', () => {
    for (const s of Object.values(SPAN_CONVENTIONS)) expect(s.name).toMatch(/^omnicache\.[a-z_.]+$/);
  });

  it('is browser-safe: imports nothing', () => {
    const src = readFileSync(
      fileURLToPath(new URL('../../src/telemetry/conventions.ts', import.meta.url)),
      'utf8',
    );
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
  });
});

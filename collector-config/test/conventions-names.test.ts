// Every metric and label name used by the recording rules, alert rules and dashboards exists in the telemetry
// conventions (sdk/core/src/telemetry/conventions.ts, mapped to Prometheus form) or is a recording-rule output.
import { describe, expect, it } from 'vitest';
import {
  ALL_METRICS,
  ATTRIBUTES,
  DURATION_BUCKETS_SECONDS,
  PROMETHEUS_EXTRA_LABELS,
  prometheusLabel,
  prometheusSeriesNames,
} from '../../sdk/core/src/telemetry/conventions.js';
import { dashboardQueries, rules } from './config-files.js';
import { grafanaQueryNames, type PromqlNames, promqlNames } from './promql-names.js';

const conventionSeries = new Set(ALL_METRICS.flatMap(prometheusSeriesNames));
const recorded = new Set(rules('rules/recording.yml').flatMap((r) => (r.record ? [r.record] : [])));
const knownLabels = new Set<string>([
  ...Object.values(ATTRIBUTES)
    .filter((a) => a.scope === 'metric')
    .map((a) => prometheusLabel(a.key)),
  ...PROMETHEUS_EXTRA_LABELS,
]);

function unknownNames(names: PromqlNames): { metrics: string[]; labels: string[] } {
  return {
    metrics: [...names.metrics].filter((m) => !conventionSeries.has(m) && !recorded.has(m)),
    labels: [...names.labels].filter((l) => !knownLabels.has(l)),
  };
}

describe('names in rules and dashboards come from the conventions', () => {
  it('recording rules use only convention metrics and labels; outputs follow level:metric:operation', () => {
    for (const rule of rules('rules/recording.yml')) {
      expect(rule.record).toMatch(/^omnicache:[a-z0-9_]+(:[a-z0-9_]+)?$/);
      expect(unknownNames(promqlNames(rule.expr)), rule.record).toEqual({ metrics: [], labels: [] });
    }
  });

  it('alert rules use only convention metrics, recorded series and convention labels', () => {
    for (const rule of rules('rules/alerts.yml')) {
      expect(unknownNames(promqlNames(rule.expr)), rule.alert).toEqual({ metrics: [], labels: [] });
      for (const text of Object.values(rule.annotations ?? {})) {
        for (const m of text.matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
          expect(knownLabels.has(m[1] ?? ''), `${rule.alert}: $labels.${m[1]}`).toBe(true);
        }
      }
    }
  });

  it('the dashboard uses only convention metrics, recorded series and convention labels', () => {
    const { exprs, templateQueries, legends } = dashboardQueries('grafana/dashboards/omnicache.json');
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs)
      expect(unknownNames(promqlNames(expr)), expr).toEqual({ metrics: [], labels: [] });
    for (const q of templateQueries)
      expect(unknownNames(grafanaQueryNames(q)), q).toEqual({ metrics: [], labels: [] });
    for (const legend of legends) {
      for (const m of legend.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
        expect(knownLabels.has(m[1] ?? ''), `legend ${legend}`).toBe(true);
      }
    }
  });

  it('the dashboard shows every metric of the conventions', () => {
    const { exprs } = dashboardQueries('grafana/dashboards/omnicache.json');
    const used = new Set<string>();
    for (const expr of exprs) for (const m of promqlNames(expr).metrics) used.add(m);
    // recorded series count as showing the metrics they are computed from
    for (const rule of rules('rules/recording.yml')) {
      if (rule.record && used.has(rule.record)) for (const m of promqlNames(rule.expr).metrics) used.add(m);
    }
    const missing = ALL_METRICS.filter((m) => !prometheusSeriesNames(m).some((s) => used.has(s))).map(
      (m) => m.name,
    );
    expect(missing).toEqual([]);
  });

  it('histogram thresholds in rules are bucket boundaries', () => {
    const all = [...rules('rules/recording.yml'), ...rules('rules/alerts.yml')];
    const boundaries = new Set(DURATION_BUCKETS_SECONDS.map(String));
    for (const rule of all) {
      for (const m of rule.expr.matchAll(/le\s*=\s*"([^"]+)"/g)) {
        expect(boundaries.has(m[1] ?? ''), `${rule.record ?? rule.alert}: le="${m[1]}"`).toBe(true);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { grafanaQueryNames, promqlNames } from './promql-names.js';

describe('promqlNames', () => {
  it('finds metrics and labels, not functions, keywords, durations or variables', () => {
    const { metrics, labels } = promqlNames(
      'sum by (a, b) (rate(foo_total{c="x", d=~"$v"}[5m] offset 15m)) / on (a) group_left (e) bar:rec:rate5m > 0.5 * avg_over_time(baz[1h:1m]) and bool 1e3 or histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))',
    );
    expect([...metrics].sort()).toEqual(['bar:rec:rate5m', 'baz', 'foo_total', 'h_bucket']);
    expect([...labels].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'le']);
  });

  it('reads Grafana label_values queries', () => {
    const { metrics, labels } = grafanaQueryNames(
      'label_values(omnicache_requests_total, omnicache_cache_name)',
    );
    expect([...metrics]).toEqual(['omnicache_requests_total']);
    expect([...labels]).toEqual(['omnicache_cache_name']);
  });
});

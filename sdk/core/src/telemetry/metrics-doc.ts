/**
 * Renders docs/metrics.md from the conventions. Pure (no I/O): `sdk/scripts/write-metrics-doc.mjs` writes
 * the file and a unit test fails when the committed file differs from this output.
 */
import {
  ALL_METRICS,
  ATTRIBUTES,
  AUDIT_ATTR,
  AUDIT_ATTRIBUTE_DESCRIPTIONS,
  AUDIT_EVENT_NAME,
  allowedValues,
  DURATION_BUCKETS_SECONDS,
  type MetricConvention,
  prometheusLabel,
  prometheusName,
  prometheusSeriesNames,
  prometheusType,
  SPAN_CONVENTIONS,
} from './conventions.js';

function code(text: string): string {
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function attributeList(metric: MetricConvention): string {
  return metric.attributes
    .map((key) => {
      const values = allowedValues(metric, key);
      return values ? `${code(key)} (${values.join(', ')})` : code(key);
    })
    .join('<br>');
}

/** A Markdown table padded the way the repository's formatter (biome) lays it out. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function renderMetricsDoc(): string {
  const out: string[] = [];
  out.push('# Metrics reference');
  out.push('');
  out.push(
    '<!-- Generated from sdk/core/src/telemetry/conventions.ts by `node scripts/pnpm.mjs --filter omnicache run docs:metrics`. Do not edit by hand. -->',
  );
  out.push('');
  out.push(
    "Every metric OmniCache exports, with its OpenTelemetry name and the Prometheus name it gets through the standard translation (dots become underscores, the unit is appended as a word, counters end in `_total`). The SDK's own `/metrics` endpoint, the prom-client bridge and the collector pipeline (OTLP -> Prometheus) all produce the Prometheus names below.",
  );
  out.push('');
  out.push(
    'Counters and gauges are read from plain counters the cache keeps, at collection time: an l1 hit performs no OpenTelemetry call. Histograms are recorded off the l1 hit path. A cache key is never a metric attribute.',
  );
  out.push('');
  out.push('## Metrics');
  out.push('');
  out.push(
    ...markdownTable(
      ['OpenTelemetry name', 'Prometheus name', 'Type', 'Unit', 'Attributes', 'Description'],
      ALL_METRICS.map((m) => [
        code(m.name),
        code(prometheusName(m)),
        `${prometheusType(m.instrument)} (${m.instrument})`,
        code(m.unit),
        attributeList(m),
        cell(m.description),
      ]),
    ),
  );
  out.push('');
  out.push(
    `Histogram bucket boundaries (seconds): ${DURATION_BUCKETS_SECONDS.join(', ')}. Latency SLO thresholds in alert rules are one of these boundaries.`,
  );
  out.push('');
  out.push('### Prometheus series');
  out.push('');
  for (const m of ALL_METRICS) {
    out.push(`- ${code(m.name)}: ${prometheusSeriesNames(m).map(code).join(', ')}`);
  }
  out.push('');
  out.push('## Attributes');
  out.push('');
  out.push(
    ...markdownTable(
      ['Attribute', 'Prometheus label', 'Where', 'Values', 'Description'],
      Object.values(ATTRIBUTES).map((a) => [
        code(a.key),
        code(prometheusLabel(a.key)),
        a.scope === 'metric' ? 'metrics, spans' : 'spans only',
        a.values ? a.values.map(code).join(', ') : 'free-form',
        cell(a.description),
      ]),
    ),
  );
  out.push('');
  out.push('## Spans');
  out.push('');
  out.push(
    ...markdownTable(
      ['Span', 'Attributes', 'Description'],
      Object.values(SPAN_CONVENTIONS).map((s) => [
        code(s.name),
        s.attributes.map(code).join(', '),
        cell(s.description),
      ]),
    ),
  );
  out.push('');
  out.push('## Audit log records');
  out.push('');
  out.push(
    `The audit sink of \`omnicache/otel-logs\` emits one OpenTelemetry log record per audit record: event name ${code(AUDIT_EVENT_NAME)}, body = the action, severity INFO (success) or WARN, and these attributes.`,
  );
  out.push('');
  out.push(
    ...markdownTable(
      ['Attribute', 'Description'],
      (Object.keys(AUDIT_ATTR) as (keyof typeof AUDIT_ATTR)[]).map((k) => [
        code(AUDIT_ATTR[k]),
        cell(AUDIT_ATTRIBUTE_DESCRIPTIONS[k]),
      ]),
    ),
  );
  out.push('');
  return out.join('\n');
}

/**
 * Metric views that give OpenTelemetry's JavaScript Prometheus exporter the same series names as the collector's
 * standard OTLP -> Prometheus translation. @opentelemetry/exporter-prometheus only replaces invalid characters and
 * appends `_total` to counters; it does not append unit words (`_seconds`, `_bytes`). Renaming each instrument to
 * its Prometheus base name (see conventions.prometheusBaseName) makes a scrape of the SDK's /metrics and the
 * collector pipeline produce identical names. Use these views only on the MeterProvider that feeds the Prometheus
 * exporter; the OTLP one keeps the OpenTelemetry names.
 */
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { ALL_METRICS, INSTRUMENTATION_SCOPE, prometheusBaseName } from './conventions.js';

export function prometheusViews(): ViewOptions[] {
  return ALL_METRICS.map((m) => ({
    instrumentName: m.name,
    meterName: INSTRUMENTATION_SCOPE,
    name: prometheusBaseName(m),
  }));
}

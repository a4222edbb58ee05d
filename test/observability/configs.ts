// The repository's collector-config/ files, rendered for a test run: Prometheus with its rule files and file_sd
// target lists, Alertmanager with its webhook URLs, and the collector's environment. Feed the results to the
// test/services starters (startPrometheus({ config, files }), startAlertmanager({ config }), startCollector(...)).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const collectorConfigDir = fileURLToPath(new URL('../../collector-config/', import.meta.url));

export function readCollectorConfig(relative: string): string {
  return readFileSync(join(collectorConfigDir, relative), 'utf8');
}

export interface PrometheusTargets {
  /** SDK /metrics endpoints, host:port. */
  sdk?: readonly string[];
  /** The collector's `prometheus` exporter endpoint, host:port (leave empty when the collector remote-writes). */
  collector?: readonly string[];
  /** Alertmanager, host:port. */
  alertmanager?: readonly string[];
}

export interface PrometheusFiles {
  config: string;
  files: Record<string, string>;
}

function targetFile(targets: readonly string[] | undefined): string {
  return `${JSON.stringify(targets && targets.length > 0 ? [{ targets: [...targets] }] : [])}\n`;
}

/**
 * collector-config/prometheus.yml with its rule files and the three file_sd target lists.
 * `intervalSeconds` overrides scrape and evaluation interval (default: the file's).
 */
export function renderPrometheus(targets: PrometheusTargets = {}, intervalSeconds?: number): PrometheusFiles {
  let config = readCollectorConfig('prometheus.yml');
  if (intervalSeconds !== undefined) {
    config = config
      .replace(/^(\s+scrape_interval:).*$/m, `$1 ${intervalSeconds}s`)
      .replace(/^(\s+evaluation_interval:).*$/m, `$1 ${intervalSeconds}s`)
      .replace(/^(\s+scrape_timeout:).*$/m, `$1 ${Math.max(1, intervalSeconds - 1)}s`);
  }
  return {
    config,
    files: {
      'rules/recording.yml': readCollectorConfig('rules/recording.yml'),
      'rules/alerts.yml': readCollectorConfig('rules/alerts.yml'),
      'targets/sdk.json': targetFile(targets.sdk),
      'targets/collector.json': targetFile(targets.collector),
      'targets/alertmanager.json': targetFile(targets.alertmanager),
    },
  };
}

/** collector-config/alertmanager.yml with the webhook URLs replaced (one URL for both receivers, or one each). */
export function renderAlertmanager(webhook: string | { critical: string; warning: string }): string {
  const urls = typeof webhook === 'string' ? { critical: webhook, warning: webhook } : webhook;
  const config = readCollectorConfig('alertmanager.yml');
  const out = config
    .replace(/url: http:\/\/127\.0\.0\.1:9097\/alerts\/critical/, `url: ${urls.critical}`)
    .replace(/url: http:\/\/127\.0\.0\.1:9097\/alerts\/warning/, `url: ${urls.warning}`);
  if (out === config) throw new Error('collector-config/alertmanager.yml: webhook URLs not found');
  return out;
}

/** collector-config/otelcol.yaml (its endpoints come from the environment: see collectorEnv in test/services). */
export function otelcolConfig(): string {
  return readCollectorConfig('otelcol.yaml');
}

/** Environment that turns on trace forwarding over OTLP/HTTP in otelcol.yaml. */
export function tracesForwardingEnv(endpoint: string): Record<string, string> {
  return {
    OMNICACHE_TRACES_EXPORTERS: '[debug, otlp_http/traces]',
    OMNICACHE_TRACES_OTLP_ENDPOINT: endpoint,
  };
}

// Starts a set of services together (in parallel), and stops whatever did start when any of them fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertmanagerHandle, startAlertmanager } from './alertmanager.js';
import {
  type CollectorHandle,
  type CollectorPorts,
  collectorEnv,
  minimalCollectorConfig,
  startCollector,
} from './collector.js';
import { type FakeGcsHandle, startFakeGcs } from './fake-gcs.js';
import { freePort } from './free-port.js';
import { type KafkaHandle, startKafka } from './kafka.js';
import { type LocalKmsHandle, startLocalKms } from './local-kms.js';
import { repoRoot } from './paths.js';
import { type PrometheusHandle, startPrometheus } from './prometheus.js';
import { type RedisHandle, startRedis } from './redis.js';
import { type RedisClusterHandle, startRedisCluster } from './redis-cluster.js';

export interface StackOptions {
  redis?: boolean;
  redisCluster?: boolean;
  fakeGcs?: boolean;
  /** local-kms (AWS KMS API) with the default test keys. */
  localKms?: boolean;
  /** Kafka in KRaft mode (one node). */
  kafka?: boolean;
  /**
   * Prometheus with the remote-write receiver on: collector-config/prometheus.yml (+ rules, alerting to the
   * stack's Alertmanager) when it exists, else a built-in config scraping the collector's Prometheus exporter.
   */
  prometheus?: boolean;
  alertmanager?: boolean;
  /** collector-config/otelcol.yaml when it exists (endpoints from collectorEnv), else minimalCollectorConfig. */
  collector?: boolean;
}

/** Every service: what `npm run services` starts. */
export const ALL_SERVICES: Required<StackOptions> = {
  redis: true,
  redisCluster: true,
  fakeGcs: true,
  localKms: true,
  kafka: true,
  prometheus: true,
  alertmanager: true,
  collector: true,
};

export interface Stack {
  redis?: RedisHandle;
  redisCluster?: RedisClusterHandle;
  fakeGcs?: FakeGcsHandle;
  localKms?: LocalKmsHandle;
  kafka?: KafkaHandle;
  prometheus?: PrometheusHandle;
  alertmanager?: AlertmanagerHandle;
  collector?: CollectorHandle & { ports: CollectorPorts; configSource: string };
  /** Stops everything in the stack (idempotent). */
  stop(): Promise<void>;
}

export const REPO_COLLECTOR_CONFIG = join(repoRoot, 'collector-config', 'otelcol.yaml');
export const REPO_PROMETHEUS_CONFIG = join(repoRoot, 'collector-config', 'prometheus.yml');

/**
 * collector-config/prometheus.yml with its rule files, and file_sd targets pointing at the stack's Alertmanager.
 * The collector reaches this Prometheus by remote write, so it is not also listed as a scrape target.
 */
function repoPrometheus(alertmanagerPort: number | undefined): {
  config: string;
  files: Record<string, string>;
} {
  const files: Record<string, string> = {};
  const rulesDir = join(repoRoot, 'collector-config', 'rules');
  if (existsSync(rulesDir)) {
    for (const f of readdirSync(rulesDir)) {
      if (f.endsWith('.yml') || f.endsWith('.yaml'))
        files[`rules/${f}`] = readFileSync(join(rulesDir, f), 'utf8');
    }
  }
  const am = alertmanagerPort ? [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] : [];
  files['targets/alertmanager.json'] = JSON.stringify(am);
  files['targets/collector.json'] = '[]';
  files['targets/sdk.json'] = '[]';
  return { config: readFileSync(REPO_PROMETHEUS_CONFIG, 'utf8'), files };
}

function prometheusConfig(
  collectorMetricsPort: number | undefined,
  alertmanagerPort: number | undefined,
): string {
  const scrape = collectorMetricsPort
    ? `scrape_configs:
  - job_name: otelcol
    static_configs:
      - targets: ['127.0.0.1:${collectorMetricsPort}']
`
    : 'scrape_configs: []\n';
  const alerting = alertmanagerPort
    ? `alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${alertmanagerPort}']
`
    : '';
  return `global:
  scrape_interval: 5s
  evaluation_interval: 5s
${alerting}${scrape}`;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const stoppers: Array<() => Promise<void>> = [];
  const stack: Stack = {
    stop: async () => {
      const all = stoppers.splice(0);
      const results = await Promise.allSettled(all.map((s) => s()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
  const track = <T extends { stop(): Promise<void> }>(h: T): T => {
    stoppers.push(() => h.stop());
    return h;
  };
  try {
    const first = await Promise.allSettled([
      opts.redis ? startRedis().then((h) => (stack.redis = track(h))) : undefined,
      opts.redisCluster ? startRedisCluster().then((h) => (stack.redisCluster = track(h))) : undefined,
      opts.fakeGcs ? startFakeGcs().then((h) => (stack.fakeGcs = track(h))) : undefined,
      opts.localKms ? startLocalKms().then((h) => (stack.localKms = track(h))) : undefined,
      opts.kafka ? startKafka().then((h) => (stack.kafka = track(h))) : undefined,
      opts.alertmanager ? startAlertmanager().then((h) => (stack.alertmanager = track(h))) : undefined,
    ]);
    const failed = first.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;

    let ports: CollectorPorts | undefined;
    if (opts.collector) {
      ports = {
        otlpGrpc: await freePort(),
        otlpHttp: await freePort(),
        prometheus: await freePort(),
        health: await freePort(),
      };
    }
    if (opts.prometheus) {
      stack.prometheus = track(
        await startPrometheus(
          existsSync(REPO_PROMETHEUS_CONFIG)
            ? repoPrometheus(stack.alertmanager?.port)
            : { config: prometheusConfig(ports?.prometheus, stack.alertmanager?.port) },
        ),
      );
    }
    if (ports) {
      const useRepo = existsSync(REPO_COLLECTOR_CONFIG);
      const config = useRepo
        ? readFileSync(REPO_COLLECTOR_CONFIG, 'utf8')
        : minimalCollectorConfig(ports, stack.prometheus?.remoteWriteUrl);
      const h = await startCollector({
        config,
        env: collectorEnv(ports, stack.prometheus?.remoteWriteUrl),
        // Both the built-in and the repository config serve health_check on ports.health.
        healthCheckUrl: `http://127.0.0.1:${ports.health}/`,
      });
      stack.collector = {
        ...track(h),
        ports,
        configSource: useRepo ? REPO_COLLECTOR_CONFIG : 'minimal built-in config',
      };
    }
  } catch (err) {
    await stack.stop().catch(() => undefined);
    throw err;
  }
  return stack;
}

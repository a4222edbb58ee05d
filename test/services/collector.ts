// The OpenTelemetry Collector built from collector-config/builder-manifest.yaml: `validate` a configuration,
// or run it until "Everything is ready" (and, when given, until its health_check endpoint answers).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { ensureCollector } from './collector-build.js';
import { httpOk, logTail, waitUntilReady } from './readiness.js';
import { runCommand } from './run-command.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

export interface CollectorPorts {
  otlpGrpc: number;
  otlpHttp: number;
  /** The prometheus exporter's scrape endpoint. */
  prometheus: number;
  /** The health_check extension. */
  health: number;
}

/**
 * Environment that the repository's collector-config/otelcol.yaml reads its endpoints from
 * (`${env:OMNICACHE_OTLP_GRPC_ENDPOINT:-...}` and so on), for the given ports and remote-write target.
 */
export function collectorEnv(ports: CollectorPorts, remoteWriteUrl?: string): Record<string, string> {
  return {
    OMNICACHE_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.otlpGrpc}`,
    OMNICACHE_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.otlpHttp}`,
    OMNICACHE_COLLECTOR_PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.prometheus}`,
    OMNICACHE_COLLECTOR_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
    ...(remoteWriteUrl ? { OMNICACHE_PROMETHEUS_REMOTE_WRITE_URL: remoteWriteUrl } : {}),
  };
}

/** A small valid configuration: OTLP in; metrics -> Prometheus scrape endpoint (+ remote write when given); traces -> debug. */
export function minimalCollectorConfig(ports: CollectorPorts, remoteWriteUrl?: string): string {
  const rw = remoteWriteUrl !== undefined;
  return `extensions:
  health_check:
    endpoint: 127.0.0.1:${ports.health}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${ports.otlpGrpc}
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 256
  batch:
    timeout: 1s
exporters:
  debug:
    verbosity: basic
  prometheus:
    endpoint: 127.0.0.1:${ports.prometheus}
${rw ? `  prometheus_remote_write:\n    endpoint: ${remoteWriteUrl}\n` : ''}service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [prometheus${rw ? ', prometheus_remote_write' : ''}]
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [debug]
`;
}

export interface CollectorValidation {
  ok: boolean;
  /** The collector's own output (the reason when !ok). */
  output: string;
}

/** Runs `otelcol validate --config=<file>` on the given configuration content. */
export async function validateCollectorConfig(
  config: string,
  env: Record<string, string> = {},
): Promise<CollectorValidation> {
  const { binary } = await ensureCollector();
  const dir = makeServiceDir('otelcol-validate');
  try {
    const file = join(dir, 'otelcol.yaml');
    writeFileSync(file, config);
    const r = await runCommand(binary, ['validate', `--config=${file}`], {
      env: { ...process.env, ...env },
      allowFailure: true,
      timeoutMs: 60_000,
    });
    return { ok: r.code === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    removeServiceDir(dir);
  }
}

export interface CollectorOptions {
  /** otelcol.yaml content. */
  config: string;
  /** Environment for `${env:...}` references in the config. */
  env?: Record<string, string>;
  /** When the config enables health_check: its URL (http://127.0.0.1:PORT/), polled as part of readiness. */
  healthCheckUrl?: string;
  readyTimeoutMs?: number;
}

export interface CollectorHandle {
  readonly binary: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly pid: number;
  /** The collector's log so far (its own output: debug exporter lines, warnings). */
  log(): string;
  stop(): Promise<void>;
}

export async function startCollector(opts: CollectorOptions): Promise<CollectorHandle> {
  const { binary } = await ensureCollector();
  const dir = makeServiceDir('otelcol');
  const configFile = join(dir, 'otelcol.yaml');
  const logFile = join(dir, 'otelcol.log');
  writeFileSync(configFile, opts.config);
  let proc: ServiceProcess | undefined;
  try {
    proc = await spawnService({
      name: 'otelcol',
      command: binary,
      args: [`--config=${configFile}`],
      logFile,
      cwd: dir,
      env: { ...process.env, ...(opts.env ?? {}) },
    });
    const p = proc;
    const health = opts.healthCheckUrl;
    await waitUntilReady(
      async () =>
        readFileSync(logFile, 'utf8').includes('Everything is ready') &&
        (health ? await httpOk(health) : true),
      { what: 'the collector is ready', proc: p, timeoutMs: opts.readyTimeoutMs ?? 30_000 },
    );
    return {
      binary,
      configFile,
      logFile,
      pid: p.pid,
      log: () => logTail(logFile, 1_000_000),
      stop: async () => {
        await p.stop('SIGTERM');
        removeServiceDir(dir);
      },
    };
  } catch (err) {
    await proc?.stop('SIGKILL');
    removeServiceDir(dir);
    throw err;
  }
}

// Prometheus (Debian) with a given configuration, a throw-away TSDB, the remote-write receiver and the
// lifecycle API enabled, on a free 127.0.0.1 port.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireExecutable } from './debian-packages.js';
import { startHttpService } from './http-service.js';

export interface PrometheusOptions {
  /** prometheus.yml content. */
  config: string;
  /** Further files next to prometheus.yml (e.g. rule files it names), by relative path. */
  files?: Record<string, string>;
  port?: number;
  extraArgs?: readonly string[];
  readyTimeoutMs?: number;
}

export interface PrometheusHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** http://127.0.0.1:PORT/api/v1/write */
  readonly remoteWriteUrl: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly pid: number;
  /** POST /-/reload after rewriting the config (or a rule file). */
  reload(config?: string, files?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const bin = requireExecutable('prometheus');
  const configName = 'prometheus.yml';
  const service = await startHttpService({
    name: 'prometheus',
    command: bin,
    prepare: (dir) => {
      writeFileSync(join(dir, configName), opts.config);
      writeFiles(dir, opts.files ?? {});
    },
    args: (port, dir) => [
      `--config.file=${join(dir, configName)}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-lifecycle',
      ...(opts.extraArgs ?? []),
    ],
    readyPath: '/-/ready',
    port: opts.port,
    readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
  });
  const { url, dir } = service;
  const configFile = join(dir, configName);
  return {
    url,
    port: service.port,
    remoteWriteUrl: `${url}/api/v1/write`,
    configFile,
    logFile: service.logFile,
    pid: service.pid,
    reload: async (config, files) => {
      if (config !== undefined) writeFileSync(configFile, config);
      writeFiles(dir, files ?? {});
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`prometheus reload failed (${res.status}): ${body}`);
    },
    stop: service.stop,
  };
}

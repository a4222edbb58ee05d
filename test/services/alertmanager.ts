// Alertmanager (Debian prometheus-alertmanager) as a single node (no cluster listener) on a free 127.0.0.1 port.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './debian-packages.js';
import { startHttpService } from './http-service.js';

/** A valid configuration that accepts alerts and sends them nowhere (query them with the API). */
export const MINIMAL_ALERTMANAGER_CONFIG = `route:
  receiver: default
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: default
`;

export interface AlertmanagerOptions {
  /** alertmanager.yml content (default: MINIMAL_ALERTMANAGER_CONFIG). */
  config?: string;
  port?: number;
  extraArgs?: readonly string[];
  readyTimeoutMs?: number;
}

export interface AlertmanagerHandle {
  /** http://127.0.0.1:PORT (API v2 under /api/v2). */
  readonly url: string;
  readonly port: number;
  readonly configFile: string;
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startAlertmanager(opts: AlertmanagerOptions = {}): Promise<AlertmanagerHandle> {
  const bin = requireExecutable('prometheus-alertmanager');
  const configName = 'alertmanager.yml';
  const service = await startHttpService({
    name: 'alertmanager',
    command: bin,
    prepare: (dir) => writeFileSync(join(dir, configName), opts.config ?? MINIMAL_ALERTMANAGER_CONFIG),
    args: (port, dir) => [
      `--config.file=${join(dir, configName)}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      ...(opts.extraArgs ?? []),
    ],
    readyPath: '/-/ready',
    port: opts.port,
    readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
  });
  return {
    url: service.url,
    port: service.port,
    configFile: join(service.dir, configName),
    logFile: service.logFile,
    pid: service.pid,
    stop: service.stop,
  };
}

// Alertmanager (Debian prometheus-alertmanager) as a single node (no cluster listener) on a free 127.0.0.1 port.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { requireExecutable } from './debian-packages.js';
import { freePort, isPortClash } from './free-port.js';
import { httpOk, waitUntilReady } from './readiness.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

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
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const dir = makeServiceDir(`alertmanager-${port}`);
    const configFile = join(dir, 'alertmanager.yml');
    const logFile = join(dir, 'alertmanager.log');
    writeFileSync(configFile, opts.config ?? MINIMAL_ALERTMANAGER_CONFIG);
    const url = `http://127.0.0.1:${port}`;
    let proc: ServiceProcess | undefined;
    try {
      proc = await spawnService({
        name: `alertmanager:${port}`,
        command: bin,
        args: [
          `--config.file=${configFile}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
          ...(opts.extraArgs ?? []),
        ],
        logFile,
        cwd: dir,
      });
      const p = proc;
      await waitUntilReady(() => httpOk(`${url}/-/ready`), {
        what: `alertmanager is ready on ${url}`,
        proc: p,
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
      });
      return {
        url,
        port,
        configFile,
        logFile,
        pid: p.pid,
        stop: async () => {
          await p.stop('SIGTERM');
          removeServiceDir(dir);
        },
      };
    } catch (err) {
      await proc?.stop('SIGKILL');
      removeServiceDir(dir);
      if (opts.port !== undefined || attempt >= 3 || !isPortClash(err)) throw err;
    }
  }
}

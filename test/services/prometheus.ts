// Prometheus (Debian) with a given configuration, a throw-away TSDB, the remote-write receiver and the
// lifecycle API enabled, on a free 127.0.0.1 port.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { requireExecutable } from './debian-packages.js';
import { freePort, isPortClash } from './free-port.js';
import { httpOk, waitUntilReady } from './readiness.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

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
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const dir = makeServiceDir(`prometheus-${port}`);
    const configFile = join(dir, 'prometheus.yml');
    const logFile = join(dir, 'prometheus.log');
    writeFileSync(configFile, opts.config);
    writeFiles(dir, opts.files ?? {});
    const url = `http://127.0.0.1:${port}`;
    let proc: ServiceProcess | undefined;
    try {
      proc = await spawnService({
        name: `prometheus:${port}`,
        command: bin,
        args: [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          '--storage.tsdb.retention.time=1d',
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-remote-write-receiver',
          '--web.enable-lifecycle',
          ...(opts.extraArgs ?? []),
        ],
        logFile,
        cwd: dir,
      });
      const p = proc;
      await waitUntilReady(() => httpOk(`${url}/-/ready`), {
        what: `prometheus is ready on ${url}`,
        proc: p,
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
      });
      return {
        url,
        port,
        remoteWriteUrl: `${url}/api/v1/write`,
        configFile,
        logFile,
        pid: p.pid,
        reload: async (config, files) => {
          if (config !== undefined) writeFileSync(configFile, config);
          writeFiles(dir, files ?? {});
          const res = await fetch(`${url}/-/reload`, { method: 'POST' });
          const body = await res.text();
          if (res.status !== 200) throw new Error(`prometheus reload failed (${res.status}): ${body}`);
        },
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

// The shared way to run a server that answers HTTP: a free 127.0.0.1 port, its own service dir and log,
// readiness over HTTP (failing with the log tail), and a retry on another port if the chosen one was taken
// between picking and binding.
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { freePort, isPortClash } from './free-port.js';
import { httpOk, waitUntilReady } from './readiness.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

export interface HttpServiceSpec {
  /** Short name: service dir, log file and process name. */
  name: string;
  command: string;
  /** Command-line arguments for a given port and service dir. */
  args(port: number, dir: string): string[];
  /** Writes config files into the service dir before the process starts. */
  prepare?(dir: string): void;
  /** Path that answers 200 once the server is ready, e.g. '/-/ready'. */
  readyPath: string;
  /** A readiness check replacing GET readyPath (for servers that answer only POST). */
  ready?(url: string): Promise<boolean>;
  /** Environment of the server process (default: this process's). */
  env?(port: number, dir: string): NodeJS.ProcessEnv;
  /** Fixed port (no retry on a clash); default a free one. */
  port?: number | undefined;
  readyTimeoutMs: number;
}

export interface HttpService {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startHttpService(spec: HttpServiceSpec): Promise<HttpService> {
  for (let attempt = 1; ; attempt++) {
    const port = spec.port ?? (await freePort());
    const dir = makeServiceDir(`${spec.name}-${port}`);
    const logFile = join(dir, `${spec.name}.log`);
    const url = `http://127.0.0.1:${port}`;
    let proc: ServiceProcess | undefined;
    try {
      spec.prepare?.(dir);
      proc = await spawnService({
        name: `${spec.name}:${port}`,
        command: spec.command,
        args: spec.args(port, dir),
        logFile,
        cwd: dir,
        env: spec.env?.(port, dir),
      });
      const p = proc;
      const ready = spec.ready;
      await waitUntilReady(() => (ready ? ready(url) : httpOk(`${url}${spec.readyPath}`)), {
        what: `${spec.name} is ready on ${url}`,
        proc: p,
        timeoutMs: spec.readyTimeoutMs,
      });
      return {
        url,
        port,
        dir,
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
      if (spec.port !== undefined || attempt >= 3 || !isPortClash(err)) throw err;
    }
  }
}

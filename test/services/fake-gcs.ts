// fake-gcs-server (built from its Go module and cached) with the in-memory backend on a free 127.0.0.1 port.
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { freePort, isPortClash } from './free-port.js';
import { goInstall } from './go-toolchain.js';
import { httpOk, waitUntilReady } from './readiness.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

export const FAKE_GCS_MODULE = 'github.com/fsouza/fake-gcs-server@v1.55.1';
/** Its go.mod says `go 1.25.8`. */
export const FAKE_GCS_MIN_GO = '1.25.8';

/** Installs fake-gcs-server once into the cache; returns the binary path. */
export function ensureFakeGcs(): Promise<string> {
  return goInstall(FAKE_GCS_MODULE, 'fake-gcs-server', FAKE_GCS_MIN_GO);
}

export interface FakeGcsOptions {
  port?: number;
  readyTimeoutMs?: number;
}

export interface FakeGcsHandle {
  /** http://127.0.0.1:PORT: pass as `new Storage({ apiEndpoint, projectId: 'test' })`. */
  readonly apiEndpoint: string;
  readonly port: number;
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startFakeGcs(opts: FakeGcsOptions = {}): Promise<FakeGcsHandle> {
  const bin = await ensureFakeGcs();
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const dir = makeServiceDir(`fake-gcs-${port}`);
    const logFile = join(dir, 'fake-gcs.log');
    const apiEndpoint = `http://127.0.0.1:${port}`;
    let proc: ServiceProcess | undefined;
    try {
      proc = await spawnService({
        name: `fake-gcs-server:${port}`,
        command: bin,
        args: [
          '-scheme',
          'http',
          '-host',
          '127.0.0.1',
          '-port',
          String(port),
          '-backend',
          'memory',
          '-external-url',
          apiEndpoint,
        ],
        logFile,
        cwd: dir,
      });
      const p = proc;
      await waitUntilReady(() => httpOk(`${apiEndpoint}/storage/v1/b?project=test`), {
        what: `fake-gcs-server answers on ${apiEndpoint}`,
        proc: p,
        timeoutMs: opts.readyTimeoutMs ?? 20_000,
      });
      return {
        apiEndpoint,
        port,
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

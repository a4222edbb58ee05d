// fake-gcs-server (built from its Go module and cached) with the in-memory backend on a free 127.0.0.1 port.
import { goInstall } from './go-toolchain.js';
import { startHttpService } from './http-service.js';

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
  const service = await startHttpService({
    name: 'fake-gcs',
    command: bin,
    args: (port) => [
      ...['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port)],
      ...['-backend', 'memory', '-external-url', `http://127.0.0.1:${port}`],
    ],
    readyPath: '/storage/v1/b?project=test',
    port: opts.port,
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
  });
  return {
    apiEndpoint: service.url,
    port: service.port,
    logFile: service.logFile,
    pid: service.pid,
    stop: service.stop,
  };
}

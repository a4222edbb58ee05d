// A single Redis node (Debian redis-server) on a free 127.0.0.1 port, in the foreground so that the harness
// owns its process: stop() for good, kill() to simulate a crash, restart() to bring it back on the same port.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { requireExecutable } from './debian-packages.js';
import { freePort, isPortClash } from './free-port.js';
import { waitUntilReady } from './readiness.js';
import { respCommand } from './resp-command.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

export interface RedisOptions {
  /** Port to listen on; a free one is chosen when omitted. */
  port?: number;
  /** Extra redis-server arguments (e.g. cluster settings), appended after the defaults. */
  extraArgs?: readonly string[];
  /** Label used in logs and errors. */
  name?: string;
  readyTimeoutMs?: number;
}

export interface RedisEndpoint {
  host: string;
  port: number;
}

export interface RedisHandle extends RedisEndpoint {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** Working directory of the node (data, cluster config, log). */
  readonly dir: string;
  readonly logFile: string;
  /** Pid of the current server process, undefined while it is down. */
  pid(): number | undefined;
  running(): boolean;
  /** Kills the server abruptly (SIGKILL), as a crash would; the port stays with this handle for restart(). */
  kill(): Promise<void>;
  /** Stops the server if it runs (gracefully), then starts it again on the same port and waits for PING. */
  restart(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startRedis(opts: RedisOptions = {}): Promise<RedisHandle> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort(opts.extraArgs?.includes('--cluster-enabled') ? [10_000] : []));
    try {
      return await startRedisOn(port, opts);
    } catch (err) {
      if (opts.port !== undefined || attempt >= 3 || !isPortClash(err)) throw err;
    }
  }
}

async function startRedisOn(port: number, opts: RedisOptions): Promise<RedisHandle> {
  const bin = requireExecutable('redis-server');
  const name = opts.name ?? `redis:${port}`;
  const dir = makeServiceDir(`redis-${port}`);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const logFile = join(dir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dataDir,
    '--logfile',
    '',
    ...(opts.extraArgs ?? []),
  ];
  let proc: ServiceProcess | undefined;
  let stopped = false;

  const launch = async () => {
    const p = await spawnService({ name, command: bin, args, logFile });
    proc = p;
    await waitUntilReady(async () => (await respCommand(port, ['PING'])) === 'PONG', {
      what: `${name} answers PING on ${HOST}:${port}`,
      proc: p,
      timeoutMs: opts.readyTimeoutMs ?? 20_000,
    });
  };

  try {
    await launch();
  } catch (err) {
    removeServiceDir(dir);
    throw err;
  }

  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    dir,
    logFile,
    pid: () => (proc?.running() ? proc.pid : undefined),
    running: () => proc?.running() ?? false,
    kill: async () => {
      await proc?.stop('SIGKILL');
    },
    restart: async () => {
      if (stopped) throw new Error(`${name} was stopped for good; start a new one`);
      await proc?.stop('SIGTERM');
      await launch();
    },
    stop: async () => {
      stopped = true;
      await proc?.stop('SIGTERM');
      removeServiceDir(dir);
    },
  };
}

// Every long-running server the harness starts is spawned here: logs go to a file, the process is tracked,
// and whatever is still running when this Node process exits (normally, on an uncaught error, or on
// SIGINT/SIGTERM/SIGHUP) is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<ChildProcess>();
/** Children started as leaders of their own process group (builds): the whole group is killed. */
const groupLeaders = new WeakSet<ChildProcess>();
let hooksInstalled = false;

/** SIGKILLs a tracked child, and its whole process group when it leads one. */
export function killTree(child: ChildProcess): void {
  try {
    if (groupLeaders.has(child) && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

function killAllNow(): void {
  for (const child of live) killTree(child);
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      killAllNow();
      // When nobody else handles the signal, restore the default action (terminate) by re-raising it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/**
 * Tracks a child process that is not a server (a build, an install) so that it too is killed when this process
 * exits or is interrupted; it is forgotten once it exits. `group`: the child was spawned detached, as the leader
 * of a process group, and the whole group (e.g. `go build`'s compilers) is killed with it.
 */
export function trackChild(child: ChildProcess, group = false): void {
  installExitHooks();
  if (group) groupLeaders.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Number of child processes (servers, running builds) this Node process currently tracks (tests use it to check that stop() cleans up). */
export function trackedProcessCount(): number {
  return live.size;
}

/** Kills every tracked server process and waits until they are gone. */
export async function killAllServices(): Promise<void> {
  const all = [...live];
  await Promise.all(all.map((c) => terminate(c, 'SIGKILL', 5_000)));
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True until the process has exited. */
  running(): boolean;
  /** Sends `signal` (default SIGTERM), escalates to SIGKILL after `graceMs`, resolves once the process is gone. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try {
    child.kill(signal);
  } catch {
    return;
  }
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

export interface SpawnServiceOptions {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export async function spawnService(opts: SpawnServiceOptions): Promise<ServiceProcess> {
  installExitHooks();
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // A spawn failure (ENOENT, EACCES) is reported through 'error' before any 'exit'.
  const spawned = await Promise.race([
    once(child, 'spawn').then(() => undefined),
    once(child, 'error').then(([err]) => err as Error),
  ]);
  if (spawned instanceof Error)
    throw new Error(`could not start ${opts.name} (${opts.command}): ${spawned.message}`);
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command}): no pid`);
  trackChild(child);
  const pid = child.pid;
  return {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    child,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: (signal = 'SIGTERM', graceMs = 10_000) => terminate(child, signal, graceMs),
  };
}

/** True when a process with this pid exists (and is not a zombie waiting to be reaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

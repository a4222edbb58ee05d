// Polls a readiness check until it passes, failing early when the server process exits and including the
// tail of the server's log in every failure.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from './child-processes.js';
import { tail } from './run-command.js';

export function logTail(logFile: string, chars = 3000): string {
  try {
    return tail(readFileSync(logFile, 'utf8'), chars).trim() || '(log is empty)';
  } catch {
    return '(no log)';
  }
}

export interface WaitOptions {
  /** What is being waited for, e.g. "redis on 127.0.0.1:6379 answers PING". */
  what: string;
  proc: ServiceProcess;
  timeoutMs?: number;
  intervalMs?: number;
}

/** Resolves once `check` returns true; `check` may also throw, which counts as not ready yet. */
export async function waitUntilReady(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError = '';
  for (;;) {
    if (!opts.proc.running()) {
      const info = await opts.proc.exited;
      throw new Error(
        `${opts.proc.name} exited (code ${info.code}, signal ${info.signal}) before ${opts.what}; log ${opts.proc.logFile}:\n${logTail(opts.proc.logFile)}`,
      );
    }
    try {
      if (await check()) return;
      lastError = '';
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await opts.proc.stop('SIGKILL');
      throw new Error(
        `timed out waiting until ${opts.what}${lastError ? ` (last error: ${lastError})` : ''}; log ${opts.proc.logFile}:\n${logTail(opts.proc.logFile)}`,
      );
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

/** True when GET `url` answers 200 within `timeoutMs`. */
export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status === 200;
}

// Runs a short-lived command to completion, capturing its output; a failure names the command and shows the output tail.
import { spawn } from 'node:child_process';
import { killTree, trackChild } from './child-processes.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command after this many milliseconds (default: no limit). */
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Stream the command's output to stderr as it runs (long provisioning steps). */
  echo?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TAIL_CHARS = 4000;

export function tail(text: string, chars = TAIL_CHARS): string {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a timeout or an interruption kills the grandchildren (compilers) too.
      detached: true,
    });
    // A build or install still running when this process is interrupted is killed with it.
    child.once('spawn', () => trackChild(child, true));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.echo) process.stderr.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.echo) process.stderr.write(d);
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            killTree(child);
          }, opts.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`could not run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result: RunResult = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFailure) {
        const why = signal ? `signal ${signal}` : `exit ${result.code}`;
        reject(
          new Error(`${cmd} ${args.join(' ')} failed (${why}):\n${tail(`${stdout}\n${stderr}`.trim())}`),
        );
        return;
      }
      resolve(result);
    });
  });
}

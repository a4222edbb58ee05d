import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';

// `node --import tsx` (resolved from the test package) runs the TypeScript fixture in one process, so the signal
// reaches the process that owns the server directly.
const testPackageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/start-redis-then-end.ts', import.meta.url));

function runFixture(how: 'throw' | 'wait'): {
  child: ChildProcess;
  started: Promise<{ pid: number; port: number }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, how], {
    cwd: testPackageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = new Promise<{ pid: number; port: number }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as { pid: number; port: number });
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`fixture exited (${code}) before starting redis: ${err}`)));
  });
  return { child, started };
}

describe('servers die with the process that started them', () => {
  it('on an uncaught error', async () => {
    const { child, started } = runFixture('throw');
    const exited = once(child, 'exit');
    const { pid } = await started;
    const [code] = await exited;
    expect(code).not.toBe(0);
    await expect.poll(() => pidAlive(pid), { timeout: 5_000 }).toBe(false);
  });

  it('on SIGTERM', async () => {
    const { child, started } = runFixture('wait');
    const { pid } = await started;
    expect(pidAlive(pid)).toBe(true);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [, signal] = await exited;
    expect(signal).toBe('SIGTERM');
    await expect.poll(() => pidAlive(pid), { timeout: 5_000 }).toBe(false);
  });
});

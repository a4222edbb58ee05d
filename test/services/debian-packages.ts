// Installs the Debian packages that provide server binaries, only when a binary is missing,
// under a lock so that concurrent callers do not run apt-get at the same time.
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { withFileLock } from './file-lock.js';
import { cacheDir } from './paths.js';
import { runCommand } from './run-command.js';

export interface DebianBinary {
  /** Executable name looked up on PATH (and in /usr/sbin, /usr/bin). */
  binary: string;
  /** The Debian package that provides it. */
  pkg: string;
}

export const SERVER_BINARIES: readonly DebianBinary[] = [
  { binary: 'redis-server', pkg: 'redis-server' },
  { binary: 'redis-cli', pkg: 'redis-tools' },
  { binary: 'prometheus', pkg: 'prometheus' },
  { binary: 'promtool', pkg: 'prometheus' },
  { binary: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { binary: 'amtool', pkg: 'prometheus-alertmanager' },
  // Kafka runs from Maven Central jars: a JRE to run it and Maven to fetch them.
  { binary: 'java', pkg: 'openjdk-17-jre-headless' },
  { binary: 'mvn', pkg: 'maven' },
];

/** Finds an executable on PATH (plus the sbin directories that a non-login PATH may lack). */
export function findExecutable(name: string): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Returns the absolute path of a binary that a Debian package provides, or throws a clear error. */
export function requireExecutable(name: string): string {
  const p = findExecutable(name);
  if (!p)
    throw new Error(`${name} is not installed; run the test services provisioning (ensureDebianPackages)`);
  return p;
}

const POLICY_RC = '/usr/sbin/policy-rc.d';

async function aptGet(pkgs: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : findExecutable('sudo') ? ['sudo', '-n'] : undefined;
  if (!sudo) {
    throw new Error(
      `missing Debian packages ${pkgs.join(', ')} and not running as root; install them with: apt-get install -y ${pkgs.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const call = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    return runCommand(cmd ?? 'apt-get', rest, { env, timeoutMs: 20 * 60_000 });
  };
  // Keep the packages' own daemons (default ports, system-wide) from starting during the install:
  // the harness runs its own instances on free ports.
  const addedPolicy = isRoot && !existsSync(POLICY_RC);
  if (addedPolicy)
    writeFileSync(POLICY_RC, '#!/bin/sh\n# written by omnicache test/services during apt-get\nexit 101\n', {
      mode: 0o755,
    });
  try {
    await call(['update']);
    await call(['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...pkgs]);
  } finally {
    if (addedPolicy) rmSync(POLICY_RC, { force: true });
  }
}

/** Ensures that every binary is present, installing the missing packages with apt-get (idempotent). */
export async function ensureDebianPackages(
  binaries: readonly DebianBinary[] = SERVER_BINARIES,
): Promise<void> {
  const missing = () => binaries.filter((b) => !findExecutable(b.binary));
  if (missing().length === 0) return;
  await withFileLock(cacheDir('locks', 'apt'), async () => {
    const still = missing();
    if (still.length === 0) return;
    const pkgs = [...new Set(still.map((b) => b.pkg))];
    const started = Date.now();
    process.stderr.write(`[services] apt-get install ${pkgs.join(' ')} (first run only)\n`);
    await aptGet(pkgs);
    const after = missing();
    if (after.length > 0) {
      throw new Error(
        `apt-get installed ${pkgs.join(', ')} but ${after.map((b) => b.binary).join(', ')} is still missing`,
      );
    }
    process.stderr.write(
      `[services] Debian packages installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
}

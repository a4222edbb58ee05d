// The Go toolchain as the harness uses it: every Go path (GOPATH, GOCACHE, GOMODCACHE, installed tools) lives
// under the omnicache cache, and `go install`ed tools are cached per version.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshStagingDir } from './cache-staging.js';
import { withFileLock } from './file-lock.js';
import { cacheDir } from './paths.js';
import { runCommand } from './run-command.js';

export function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const root = cacheDir('go');
  return {
    ...process.env,
    GOPATH: join(root, 'path'),
    GOCACHE: join(root, 'build-cache'),
    GOMODCACHE: join(root, 'mod'),
    GOBIN: join(root, 'bin'),
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-modcacherw -buildvcs=false',
    CGO_ENABLED: '0',
    ...extra,
  };
}

/** Parses `go version` output ("go version go1.26.8 linux/amd64") into [major, minor, patch]. */
export function parseGoVersion(output: string): [number, number, number] {
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output.replace(/^go version /, ''));
  if (!m) throw new Error(`cannot parse Go version from: ${output.trim()}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Checks that a Go toolchain at least `min` ("1.25" or "1.25.8") is on PATH; returns its version string. */
export async function requireGo(min: string): Promise<string> {
  let out: string;
  try {
    out = (await runCommand('go', ['version'], { env: goEnv() })).stdout;
  } catch (err) {
    throw new Error(
      `Go >= ${min} is required to build the test services but 'go' could not be run: ${(err as Error).message}`,
    );
  }
  const have = parseGoVersion(out);
  const want = parseGoVersion(`go${min}`);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > (want[i] ?? 0)) break;
    if ((have[i] ?? 0) < (want[i] ?? 0)) throw new Error(`Go >= ${min} is required, found: ${out.trim()}`);
  }
  return out.trim();
}

/**
 * `go install module@version` into a cache directory of its own (one per module version), once.
 * Returns the path of the installed binary `binName`.
 */
export async function goInstall(moduleAtVersion: string, binName: string, minGo: string): Promise<string> {
  const safe = moduleAtVersion.replace(/[^\w.@-]+/g, '_');
  const dir = cacheDir('go', 'tools', safe);
  const bin = join(dir, binName);
  if (existsSync(bin)) return bin;
  return withFileLock(dir, async () => {
    if (existsSync(bin)) return bin;
    await requireGo(minGo);
    const tmp = freshStagingDir(dir);
    const started = Date.now();
    process.stderr.write(`[services] go install ${moduleAtVersion} (first run only)\n`);
    await runCommand('go', ['install', moduleAtVersion], { env: goEnv({ GOBIN: tmp }) });
    if (!existsSync(join(tmp, binName))) {
      throw new Error(`go install ${moduleAtVersion} produced no ${binName} in ${tmp}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    process.stderr.write(
      `[services] installed ${binName} in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${bin}\n`,
    );
    return bin;
  });
}

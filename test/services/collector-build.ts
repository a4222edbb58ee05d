// Builds the OpenTelemetry Collector from collector-config/builder-manifest.yaml with the collector builder,
// once per manifest content: the binary is cached under <cache>/otelcol/<hash>/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshStagingDir } from './cache-staging.js';
import { withFileLock } from './file-lock.js';
import { goEnv, goInstall } from './go-toolchain.js';
import { cacheDir, repoRoot } from './paths.js';
import { runCommand } from './run-command.js';

export const COLLECTOR_BUILDER = 'go.opentelemetry.io/collector/cmd/builder@v0.159.0';
/** The builder v0.159.0's go.mod says `go 1.25.0`. */
export const COLLECTOR_MIN_GO = '1.25.0';
export const COLLECTOR_MANIFEST = join(repoRoot, 'collector-config', 'builder-manifest.yaml');

export interface CollectorBuildInfo {
  binary: string;
  /** Seconds the build took when it ran; undefined when the binary came from the cache. */
  builtInSeconds?: number;
}

function manifestName(manifest: string): string {
  const m = /^\s+name:\s*["']?([\w.-]+)["']?\s*$/m.exec(manifest);
  if (!m?.[1]) throw new Error(`${COLLECTOR_MANIFEST}: dist.name is missing`);
  return m[1];
}

export function collectorCacheKey(manifest: string): string {
  return createHash('sha256')
    .update(COLLECTOR_BUILDER)
    .update('\n')
    .update(manifest)
    .digest('hex')
    .slice(0, 16);
}

/** Returns the path of the collector binary for the current manifest, building it first when it is not cached. */
export async function ensureCollector(manifestPath = COLLECTOR_MANIFEST): Promise<CollectorBuildInfo> {
  const manifest = readFileSync(manifestPath, 'utf8');
  const name = manifestName(manifest);
  const dir = cacheDir('otelcol', collectorCacheKey(manifest));
  const binary = join(dir, name);
  if (existsSync(binary)) return { binary };
  return withFileLock(dir, async () => {
    if (existsSync(binary)) return { binary };
    const builder = await goInstall(COLLECTOR_BUILDER, 'builder', COLLECTOR_MIN_GO);
    const work = freshStagingDir(dir);
    const out = join(work, 'dist');
    if (!/^\s+output_path:/m.test(manifest)) throw new Error(`${manifestPath}: dist.output_path is missing`);
    const patched = manifest.replace(/^(\s+)output_path:.*$/m, `$1output_path: ${JSON.stringify(out)}`);
    const patchedPath = join(work, 'manifest.yaml');
    writeFileSync(patchedPath, patched);
    process.stderr.write(
      `[services] building the OpenTelemetry Collector (first run only, several minutes)\n`,
    );
    const started = Date.now();
    await runCommand(builder, [`--config=${patchedPath}`], { env: goEnv(), cwd: work });
    const seconds = (Date.now() - started) / 1000;
    if (!existsSync(join(out, name))) throw new Error(`the collector builder produced no ${join(out, name)}`);
    mkdirSync(join(work, 'final'), { recursive: true });
    renameSync(join(out, name), join(work, 'final', name));
    writeFileSync(
      join(work, 'final', 'build.json'),
      `${JSON.stringify({ builder: COLLECTOR_BUILDER, seconds, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'final'), dir);
    rmSync(work, { recursive: true, force: true });
    process.stderr.write(`[services] built the collector in ${seconds.toFixed(0)} s -> ${binary}\n`);
    return { binary, builtInSeconds: seconds };
  });
}

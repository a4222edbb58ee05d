// The panel plugin as Grafana loads it (grafana-plugin/: webpack, AMD dist/module.js + plugin.json + img/), built
// into the tool cache once per source/lockfile version, so `npm run demo` on a fresh machine has it without a
// separate step and without touching grafana-plugin/dist (which the plugin's own package test builds).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { buildOnce, repoRoot, toolCacheDir } from './tool-cache.js';

const PLUGIN = join(repoRoot, 'grafana-plugin');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

function sourcesHash(): string {
  const h = createHash('sha256');
  const conventions = createRequire(join(PLUGIN, 'package.json')).resolve('omnicache/conventions');
  for (const f of [
    ...filesUnder(join(PLUGIN, 'src')),
    join(PLUGIN, 'webpack.config.cjs'),
    join(PLUGIN, 'package.json'),
    join(PLUGIN, 'README.md'),
    join(repoRoot, 'pnpm-lock.yaml'),
    conventions,
  ])
    h.update(relative(repoRoot, f)).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

const complete = (dir: string) => existsSync(join(dir, 'module.js')) && existsSync(join(dir, 'plugin.json'));

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out}`)),
    );
  });
}

/** The plugin's built dist directory (module.js, plugin.json, img/); about 15-30 s cold, then reused. */
export function buildPanelPlugin(): Promise<string> {
  return buildOnce(toolCacheDir('grafana-plugin', sourcesHash()), complete, async (tmp) => {
    const cli = createRequire(join(PLUGIN, 'package.json')).resolve('webpack-cli/bin/cli.js');
    await run(
      process.execPath,
      [cli, '--config', 'webpack.config.cjs', '--mode', 'production', '--output-path', tmp],
      PLUGIN,
    );
  });
}

// Builds the Grafana panel plugin (webpack, AMD dist/module.js + the zip) so that browser tests load what ships.
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { runCommand } from './run-command.js';

export const PLUGIN_DIR = join(repoRoot, 'grafana-plugin');

/** Runs `pnpm --filter @omnicache/grafana-plugin run build`; returns the dist/ directory. */
export async function buildGrafanaPlugin(): Promise<string> {
  await runCommand(
    process.execPath,
    [join(repoRoot, 'scripts', 'pnpm.mjs'), '--filter', '@omnicache/grafana-plugin', 'run', 'build'],
    {
      cwd: repoRoot,
      timeoutMs: 5 * 60_000,
    },
  );
  return join(PLUGIN_DIR, 'dist');
}

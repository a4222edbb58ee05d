// The host page bundle (sdk/demo/page: the Grafana stand-in that loads the panel's built module.js, and the demo's
// live dashboard on top of it), built with esbuild once per source/lockfile version under the tool cache.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildOnce, repoRoot, toolCacheDir } from './tool-cache.js';

const DEMO = join(repoRoot, 'sdk', 'demo');
const PAGE = join(DEMO, 'page');
/** Entry points: the host page tests drive (window.omnicacheHost) and the demo's live dashboard. */
export const PAGE_ENTRIES = ['page', 'live'] as const;

function sourcesHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(PAGE).sort())
    if (/\.(ts|tsx)$/.test(f)) h.update(f).update(readFileSync(join(PAGE, f)));
  h.update(readFileSync(join(DEMO, 'src', 'grafana-host', 'host-api.ts')));
  h.update(readFileSync(join(repoRoot, 'pnpm-lock.yaml')));
  return h.digest('hex').slice(0, 16);
}

const complete = (dir: string) => PAGE_ENTRIES.every((e) => existsSync(join(dir, `${e}.js`)));

/** The directory holding page.js and live.js (about 10-20 s to build cold, then reused). */
export function buildHostPage(): Promise<string> {
  return buildOnce(toolCacheDir('grafana-host', sourcesHash()), complete, async (tmp) => {
    await build({
      entryPoints: PAGE_ENTRIES.map((e) => join(PAGE, `${e}.tsx`)),
      bundle: true,
      // ESM with code splitting: @grafana/ui's dynamic imports become chunks. (One IIFE file would turn every
      // module into a lazily initialised wrapper, and @grafana/data's import cycles then run before their imports.)
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'chrome120',
      outdir: tmp,
      jsx: 'automatic',
      minify: true,
      sourcemap: false,
      logLevel: 'error',
      absWorkingDir: DEMO,
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty' },
    });
  });
}

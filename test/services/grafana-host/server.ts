// Serves the host page (see page.tsx) on 127.0.0.1: the page bundle (built once with esbuild, cached by a hash of
// its sources and the lockfile), the plugin's built dist/ under /plugin/, and JSON payloads a test registers
// (e.g. an audit API) under /data/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import { withFileLock } from '../file-lock.js';
import { cacheDir, repoRoot } from '../paths.js';

const HERE = join(repoRoot, 'test', 'services', 'grafana-host');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown',
};

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>OmniCache panel host</title>
<link rel="stylesheet" href="/host/page.css" onerror="this.remove()"></head>
<body style="margin:0"><div id="root"></div><script type="module" src="/host/page.js"></script></body></html>`;

function sourcesHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(HERE).sort())
    if (/\.(ts|tsx)$/.test(f)) h.update(f).update(readFileSync(join(HERE, f)));
  h.update(readFileSync(join(repoRoot, 'pnpm-lock.yaml')));
  return h.digest('hex').slice(0, 16);
}

/** Builds the page bundle once per source/lockfile version (about 10-20 s cold), under the tool cache. */
export async function buildHostPage(): Promise<string> {
  const out = cacheDir('grafana-host', sourcesHash());
  if (existsSync(join(out, 'page.js'))) return out;
  return withFileLock(cacheDir('locks', 'grafana-host'), async () => {
    if (existsSync(join(out, 'page.js'))) return out;
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await build({
      entryPoints: [join(HERE, 'page.tsx')],
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
      absWorkingDir: join(repoRoot, 'test'),
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty' },
    });
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    return out;
  });
}

export interface GrafanaHostHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** URL of the plugin's dist/module.js as the page loads it. */
  readonly moduleUrl: string;
  /** Serves `body` as JSON at `${url}/data/${name}`. */
  setJson(name: string, body: unknown): string;
  stop(): Promise<void>;
}

export interface GrafanaHostOptions {
  /** The plugin's built dist/ directory (module.js, plugin.json, img/). */
  pluginDist: string;
}

export async function startGrafanaHost(opts: GrafanaHostOptions): Promise<GrafanaHostHandle> {
  const pageDir = await buildHostPage();
  const json = new Map<string, string>();
  const file = (root: string, rel: string) => {
    const p = normalize(join(root, rel));
    return p.startsWith(root + sep) && existsSync(p) ? p : undefined;
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    let p: string | undefined;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html']! }).end(INDEX_HTML);
      return;
    }
    if (path.startsWith('/data/') && json.has(path.slice(6))) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(json.get(path.slice(6)));
      return;
    }
    if (path.startsWith('/host/')) p = file(pageDir, path.slice(6));
    else if (path.startsWith('/plugin/')) p = file(normalize(opts.pluginDist), path.slice(8));
    if (!p) {
      res.writeHead(404).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': TYPES[extname(p)] ?? 'application/octet-stream' })
      .end(readFileSync(p));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    moduleUrl: `${url}/plugin/module.js`,
    setJson: (name, body) => {
      json.set(name, JSON.stringify(body));
      return `${url}/data/${name}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

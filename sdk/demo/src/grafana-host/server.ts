// Serves the host page (sdk/demo/page) on 127.0.0.1: the page bundle, the plugin's built dist/ under /plugin/,
// JSON payloads a test registers under /data/, and JSON routes of the caller (the demo's data source) under /api/.
// `/` is the host page tests drive (window.omnicacheHost) or, with `index: 'live'`, the demo's live dashboard.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { buildHostPage } from './page-bundle.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown',
};

function indexHtml(entry: 'page' | 'live', title: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/host/${entry}.css" onerror="this.remove()"></head>
<body style="margin:0"><div id="root"></div><script type="module" src="/host/${entry}.js"></script></body></html>`;
}

/** A JSON route: receives the request URL, returns the body (or a promise of it). */
export type JsonRoute = (url: URL) => unknown;

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
  /** The plugin's built dist/ directory (module.js, plugin.json, img/): see buildPanelPlugin(). */
  pluginDist: string;
  /** What `/` shows: the host page for tests (default) or the demo's live dashboard. */
  index?: 'host' | 'live';
  /** JSON routes under /api/ (name without the prefix, e.g. `frames` for /api/frames). */
  api?: Readonly<Record<string, JsonRoute>>;
  /** Port to listen on (default 0: any free port); a busy port falls back to any free one. */
  port?: number;
}

export async function startGrafanaHost(opts: GrafanaHostOptions): Promise<GrafanaHostHandle> {
  const pageDir = await buildHostPage();
  const json = new Map<string, string>();
  const index =
    opts.index === 'live' ? indexHtml('live', 'OmniCache demo') : indexHtml('page', 'OmniCache panel host');
  const file = (root: string, rel: string) => {
    const p = normalize(join(root, rel));
    return p.startsWith(root + sep) && existsSync(p) ? p : undefined;
  };
  const sendJson = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    let p: string | undefined;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html']! }).end(index);
      return;
    }
    if (path.startsWith('/data/') && json.has(path.slice(6))) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(json.get(path.slice(6)));
      return;
    }
    const route = path.startsWith('/api/') ? opts.api?.[path.slice(5)] : undefined;
    if (route !== undefined) {
      Promise.resolve()
        .then(() => route(url))
        .then(
          (body) => sendJson(res, 200, body),
          (error: unknown) => sendJson(res, 400, { error: String((error as Error)?.message ?? error) }),
        );
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
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(opts.port ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !opts.port) throw error;
    await listen(0);
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    moduleUrl: `${url}/plugin/module.js`,
    setJson: (name, body) => {
      json.set(name, JSON.stringify(body));
      return `${url}/data/${name}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

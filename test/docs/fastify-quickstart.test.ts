import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { codeBlocks } from '../../sdk/core/test/helpers/doc-blocks.js';
import { freePort } from '../services/index.js';
import { repoRoot } from '../services/paths.js';

// The newcomer's path, executed: the Fastify service of the README and of the quickstart, exactly as printed
// (transpiled, the two ports swapped for free ones), run with the built packages; then the requests the pages show:
// a miss, a hit, a 304 for the ETag, /metrics with the cache's and the route's series, and (quickstart) a PUT that
// invalidates the cached GET.
const DEMO = join(repoRoot, 'sdk', 'demo'); // resolves omnicache, fastify and the OpenTelemetry packages

const children: ChildProcess[] = [];
const files: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const f of files) rmSync(f, { force: true });
});

function fastifyBlock(doc: string): string {
  const block = codeBlocks(readFileSync(join(repoRoot, doc), 'utf8')).find(
    (b) => b.lang === 'ts' && b.code.includes('omnicacheFastify') && b.code.includes('app.listen'),
  );
  if (!block) throw new Error(`${doc} has no Fastify service block`);
  return block.code;
}

async function run(doc: string): Promise<{ app: string; metrics: string }> {
  const [appPort, metricsPort] = [await freePort(), await freePort()];
  const code = fastifyBlock(doc)
    .replace('port: 3000', `port: ${appPort}`)
    .replace('port: 9464', `port: ${metricsPort}`);
  expect(code).toContain(`port: ${appPort}`);
  expect(code).toContain(`port: ${metricsPort}`);
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(DEMO, `.docs-${doc.replace(/\W/g, '_')}-${process.pid}.mjs`);
  writeFileSync(file, js);
  files.push(file);
  const child = spawn(process.execPath, [file], { cwd: DEMO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const app = `http://127.0.0.1:${appPort}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${doc}'s service exited (${child.exitCode}):\n${out}`);
    if (
      await fetch(`${app}/products/1`, { method: 'HEAD' }).then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > end) throw new Error(`${doc}'s service did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { app, metrics: `http://127.0.0.1:${metricsPort}/metrics` };
}

describe.each(['README.md', 'docs/quickstart.md'])(
  '%s: the cached Fastify route with metrics, run',
  (doc) => {
    it('caches GET /products/:id (miss, hit, 304) and serves the metrics', async () => {
      const { app, metrics } = await run(doc);
      const miss = await fetch(`${app}/products/1`);
      expect(miss.status).toBe(200);
      expect(miss.headers.get('x-omnicache')).toBe('miss');
      expect(miss.headers.get('cache-control')).toMatch(/^public, max-age=30/);
      const etag = miss.headers.get('etag')!;
      const body = await miss.text();
      const hit = await fetch(`${app}/products/1`);
      expect([hit.headers.get('x-omnicache'), await hit.text()]).toEqual(['hit', body]);
      const notModified = await fetch(`${app}/products/1`, { headers: { 'if-none-match': etag } });
      expect(notModified.status).toBe(304);
      if (doc.includes('quickstart')) {
        expect((await fetch(`${app}/products/1`, { method: 'PUT' })).status).toBe(200);
        expect((await fetch(`${app}/products/1`)).headers.get('x-omnicache')).toBe('miss');
      }
      const text = await (await fetch(metrics)).text();
      expect(text).toMatch(
        /omnicache_requests_total\{[^}]*omnicache_cache_name="shop"[^}]*omnicache_result="hit"[^}]*\} [1-9]/,
      );
      expect(text).toMatch(
        /omnicache_http_responses_total\{[^}]*http_route="\/products\/:id"[^}]*omnicache_http_result="hit"/,
      );
    }, 60_000);
  },
);

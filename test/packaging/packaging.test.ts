import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installProject, measureNodeModules, packPackage } from '../../scripts/install-project.mjs';

// What a user does: `npm pack` the core, install the tarball into an empty project, use it. Runs on every Node
// version the test command covers (scripts/test.mjs runs this file on Node 20, 22 and 24).
const coreDir = fileURLToPath(new URL('../../sdk/core/', import.meta.url));
const MAX_PACKAGES = 15;
const MAX_BYTES = 10 * 1024 * 1024;

let work: string;
let tarball: string;
let coreOnly: string;

function node(cwd: string, code: string) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    // As a user's shell would run it: without the NODE_PATH that `pnpm exec` sets to the workspace's modules.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_PATH')) },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

beforeAll(() => {
  return (async () => {
    work = await mkdtemp(join(tmpdir(), 'omnicache-packaging-'));
    tarball = packPackage(coreDir, join(work, 'pack'));
    coreOnly = join(work, 'core-only');
    installProject(coreOnly, [tarball]);
  })();
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe(`packaging on Node ${process.versions.node}`, () => {
  it('the tarball holds built JS and types only, and every exported entry point resolves', () => {
    const list = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(list.filter((f) => /\.map$|\.ts$(?<!\.d\.ts$)|\/src\/|\/test\/|demo|cli\//.test(f))).toEqual([]);
    expect(list.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    const pkg = JSON.parse(
      spawnSync('tar', ['xzfO', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout,
    );
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['msgpackr', 'yaml', 'zod']);
    for (const [entry, target] of Object.entries(
      pkg.exports as Record<string, string | Record<string, string>>,
    )) {
      const files = typeof target === 'string' ? [target] : [target.types!, target.default!];
      for (const f of files) expect(list, `${entry} -> ${f}`).toContain(`package/${f.replace(/^\.\//, '')}`);
    }
    for (const peer of Object.keys(pkg.peerDependencies))
      expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true });
  });

  it(`installs light: <= ${MAX_PACKAGES} packages and <= 10 MB, no vendor`, () => {
    const m = measureNodeModules(coreOnly);
    console.log(
      `[packaging] core install: ${m.packages} packages, ${(m.bytes / 1e6).toFixed(2)} MB: ${m.names.join(', ')}`,
    );
    expect(m.packages).toBeLessThanOrEqual(MAX_PACKAGES);
    expect(m.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(
      m.names.filter((n) =>
        /ioredis|opentelemetry|google-cloud|aws-sdk|commander|cli-progress|prom-client/.test(n),
      ),
    ).toEqual([]);
  });

  it('an L1 + fs cache works from the installed package, configured from a file', () => {
    const r = node(
      coreOnly,
      `
      import { mkdtempSync, writeFileSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import { createCache, fsTier, loadCacheConfig } from 'omnicache';
      import { METRICS } from 'omnicache/conventions';
      const dir = mkdtempSync(join(tmpdir(), 'user-fs-'));
      const a = createCache({ name: 'app', l1: { capacity: 10 }, l3: fsTier(dir) });
      await a.set('user:1', { name: 'Ada', at: new Date(0) });
      const file = join(dir, 'omnicache.yaml');
      writeFileSync(file, 'name: app\\nl1: { capacity: 10 }\\nl3: { fs: { dir: ' + JSON.stringify(dir) + ' } }\\n');
      const b = createCache(await loadCacheConfig({ file }));
      const v = await b.get('user:1');
      let loads = 0;
      const w = await b.getOrSet('user:2', async () => { loads++; return 42; });
      console.log(JSON.stringify({ v, w, loads, hits: b.stats().tiers.l3.hits, metric: typeof METRICS.requests?.name }));
      await a.close(); await b.close();
      `,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      v: { name: 'Ada', at: '1970-01-01T00:00:00.000Z' },
      w: 42,
      loads: 1,
      hits: 1,
      metric: 'string',
    });
  });

  it('a vendor subpath without its peer fails at import with a message that names the package', () => {
    const otel = node(
      coreOnly,
      `try { await import('omnicache/otel'); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }`,
    );
    expect(otel.stdout).toMatch(
      /^MissingPeerDependencyError: omnicache\/otel needs the packages .*"@opentelemetry\/sdk-node"/,
    );
    expect(otel.stdout).toContain('npm install @opentelemetry/api @opentelemetry/sdk-node');
    const redis = node(
      coreOnly,
      `try { await import('omnicache/redis'); } catch (e) { console.log(e.message); }`,
    );
    expect(redis.stdout).toMatch(/omnicache\/redis needs the package "ioredis".*npm install ioredis/);
    const gcs = node(
      coreOnly,
      `try { await import('omnicache/gcs'); } catch (e) { console.log(e.message); }`,
    );
    expect(gcs.stdout).toContain('npm install @google-cloud/storage');
    const kms = node(
      coreOnly,
      `try { await import('omnicache/aws-kms'); } catch (e) { console.log(e.message); }`,
    );
    expect(kms.stdout).toMatch(
      /omnicache\/aws-kms needs the package "@aws-sdk\/client-kms".*npm install @aws-sdk\/client-kms/,
    );
    for (const framework of ['fastify', 'express']) {
      const r = node(
        coreOnly,
        `try { await import('omnicache/${framework}'); } catch (e) { console.log(e.message); }`,
      );
      expect(r.stdout).toMatch(
        new RegExp(`omnicache/${framework} needs the package "${framework}".*npm install ${framework}`),
      );
    }
    const api = node(
      coreOnly,
      `import { createCache, instrument } from 'omnicache';
       try { instrument(createCache({ name: 'x', l1: { capacity: 1 } })); } catch (e) { console.log(e.message); }`,
    );
    expect(api.stdout, api.stderr).toContain('npm install @opentelemetry/api');
  });

  it('a Redis cache through omnicache/redis, with ioredis installed beside it', async () => {
    const project = join(work, 'with-redis');
    installProject(project, [tarball, 'ioredis@5.9.2']);
    const { url } = inject('redis');
    const key = `pkg-${randomBytes(4).toString('hex')}`;
    const code = (role: string) => `
      import { createCache } from 'omnicache';
      import { redisTier } from 'omnicache/redis';
      const cache = createCache({ name: 'pkg', l1: { capacity: 10 }, l2: redisTier({ connection: ${JSON.stringify(url)} }) });
      ${role === 'writer' ? `await cache.set(${JSON.stringify(key)}, { ok: true });` : ''}
      console.log(JSON.stringify({ v: await cache.get(${JSON.stringify(key)}), l2: cache.stats().tiers.l2.hits }));
      await cache.close();
    `;
    const w = node(project, code('writer'));
    expect(w.stderr).toBe('');
    const r = node(project, code('reader'));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ v: { ok: true }, l2: 1 }); // another process, served by Redis
  });

  it('import("omnicache") loads neither zod nor msgpackr (they load on first use)', () => {
    const r = node(
      coreOnly,
      `import { register } from 'node:module';
       const seen = [];
       const { port1, port2 } = new MessageChannel();
       port1.on('message', (m) => seen.push(m)); port1.unref();
       register('data:text/javascript,' + encodeURIComponent(
         'let port; export function initialize(d) { port = d.port; }' +
         'export async function resolve(s, c, next) { port.postMessage(s); return next(s, c); }'), { data: { port: port2 }, transferList: [port2] });
       await import('omnicache');
       await new Promise((r) => setTimeout(r, 50));
       const { createRequire } = await import('node:module');
       const required = Object.keys(createRequire(import.meta.url).cache).map((p) => p.split('node_modules/').pop());
       console.log(JSON.stringify({ imported: seen.filter((s) => !s.startsWith('node:') && !s.startsWith('.')), required }));
       await import('omnicache').then(({ createCache }) => createCache({ name: 'x', l1: { capacity: 1 } }));
       console.log(Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/zod/')));`,
    );
    expect(r.status, r.stderr).toBe(0);
    const [first, afterCreate] = r.stdout.split('\n');
    expect(JSON.parse(first!)).toEqual({ imported: ['omnicache'], required: [] });
    expect(afterCreate).toBe('true'); // createCache validates with zod: loaded then
  });
});

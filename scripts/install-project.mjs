// What a user does with a package: an empty project, the package installed into it, its size and package count,
// and how long a cold import takes. Shared by the packaging test (test/packaging) and `npm run bench -- packaging`.
// Installs run pnpm with a flat (npm-style) node_modules, offline from the store the workspace install filled, so
// neither needs the network.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePnpm } from './pnpm.mjs';

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

/** `npm pack` of the package in `packageDir` into `dest`; returns the tarball's path. */
export function packPackage(packageDir, dest) {
  mkdirSync(dest, { recursive: true });
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dest], packageDir));
  return join(dest, out[0].filename);
}

/** An empty ESM project in `dir` with `specs` (tarball paths or name@version) installed, offline. */
export function installProject(dir, specs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type: 'module' }),
  );
  run(
    process.execPath,
    [
      ensurePnpm(),
      'add',
      ...specs,
      '--offline',
      '--ignore-workspace',
      '--config.node-linker=hoisted',
      '--config.auto-install-peers=false',
      '--config.strict-peer-dependencies=false',
    ],
    dir,
  );
}

/** Installed packages (each directory with a package.json under node_modules, nested ones too) and their bytes on disk. */
export function measureNodeModules(dir) {
  let packages = 0;
  let bytes = 0;
  const names = [];
  const sizeOf = (p) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return 0;
    if (!st.isDirectory()) return st.size;
    let total = 0;
    for (const e of readdirSync(p)) total += sizeOf(join(p, e));
    return total;
  };
  const walkModules = (nm) => {
    let entries;
    try {
      entries = readdirSync(nm);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.')) continue;
      if (e.startsWith('@')) {
        for (const s of readdirSync(join(nm, e))) visit(join(nm, e, s), `${e}/${s}`);
      } else visit(join(nm, e), e);
    }
  };
  const visit = (pkgDir, name) => {
    if (lstatSync(pkgDir).isSymbolicLink()) return;
    packages++;
    names.push(name);
    bytes += sizeOf(pkgDir);
    walkModules(join(pkgDir, 'node_modules'));
  };
  walkModules(join(dir, 'node_modules'));
  return { packages, bytes, names: names.sort() };
}

/** Milliseconds a fresh Node process in `dir` spends running the ESM `body` (one sample; Node's start-up excluded). */
export function freshProcessMs(dir, body, nodeBin = process.execPath) {
  const code = `const t = performance.now(); ${body}\nconsole.log(performance.now() - t);`;
  return Number(run(nodeBin, ['--input-type=module', '-e', code], dir).trim().split('\n').pop());
}

/** Milliseconds a fresh Node process takes to `import(specifier)` in `dir` (one sample). */
export function coldImportMs(dir, specifier, nodeBin = process.execPath) {
  return freshProcessMs(dir, `await import(${JSON.stringify(specifier)});`, nodeBin);
}

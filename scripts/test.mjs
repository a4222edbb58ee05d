#!/usr/bin/env node
// The whole test suite: formatting + lint (biome), type checks, then every vitest project (unit tests, trace
// reproductions, and integration tests against real services started by test/services); then the core's unit
// suite and the packaging test again on each other supported Node version (22, 24; fetched once into the cache).
// Arguments are passed to vitest (e.g. a file filter); with arguments the Node matrix is skipped.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EXTRA_NODE_VERSIONS, ensureNode } from './node-versions.mjs';
import { repoRoot } from './paths.mjs';
import { pnpm } from './pnpm.mjs';

const args = process.argv.slice(2);
const steps = [
  [['exec', 'biome', 'ci', '--colors=off', '.'], 'lint and format check (biome)'],
  [['-r', 'run', 'typecheck'], 'type check'],
  [['exec', 'vitest', 'run', ...args], 'vitest'],
];
function check(r, what) {
  if (r.status !== 0) {
    console.error(`[test] ${what} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}
for (const [stepArgs, what] of steps) {
  console.error(`\n[test] ${what}`);
  check(pnpm(stepArgs), what);
}
if (args.length === 0) {
  const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  for (const version of EXTRA_NODE_VERSIONS) {
    const node = ensureNode(version);
    const what = `Node ${version}: core unit suite and packaging test`;
    console.error(`\n[test] ${what}`);
    const r = spawnSync(
      node,
      [vitest, 'run', '--project', 'core', '--project', 'test', 'sdk/core/test', 'test/packaging'],
      {
        stdio: 'inherit',
        cwd: repoRoot,
      },
    );
    check(r, what);
  }
}

#!/usr/bin/env node
// The whole test suite: formatting + lint (biome), type checks, then every vitest project
// (unit tests, trace reproductions, and integration tests against real services started by test/services).
import { pnpm } from './pnpm.mjs';

const steps = [
  [['exec', 'biome', 'ci', '--colors=off', '.'], 'lint and format check (biome)'],
  [['-r', 'run', 'typecheck'], 'type check'],
  [['exec', 'vitest', 'run', ...process.argv.slice(2)], 'vitest'],
];
for (const [args, what] of steps) {
  console.error(`\n[test] ${what}`);
  const r = pnpm(args);
  if (r.status !== 0) {
    console.error(`[test] ${what} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

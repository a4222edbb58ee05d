#!/usr/bin/env node
// Idempotent set-up used by `npm run demo`, `npm test` and `npm run bench`:
// bootstrap pnpm, install the workspace when the manifests or lockfile changed, build the TypeScript packages.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';
import { pnpm } from './pnpm.mjs';

const manifests = ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml'];
for (const dir of readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8').matchAll(
  /^\s+-\s+"?([\w\-/]+)"?\s*$/gm,
)) {
  manifests.push(join(dir[1], 'package.json'));
}
const hash = createHash('sha256');
for (const f of manifests) {
  const p = join(repoRoot, f);
  if (existsSync(p)) hash.update(f).update(readFileSync(p));
}
const digest = hash.digest('hex');
const stamp = join(repoRoot, 'node_modules', '.omnicache-setup-stamp');

function run(args, what) {
  const r = pnpm(args);
  if (r.status !== 0) {
    console.error(`[setup] ${what} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
  const frozen = process.env.CI && existsSync(join(repoRoot, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  run(['install', ...frozen], 'pnpm install');
  writeFileSync(stamp, digest);
}
if (!process.argv.includes('--no-build'))
  run(['-r', '--filter', './sdk/**', '--filter', './anomaly', 'run', 'build'], 'build');

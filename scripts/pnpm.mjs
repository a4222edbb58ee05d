#!/usr/bin/env node
// Runs the workspace's pinned pnpm (10.x), bootstrapped once into the user cache with `npx pnpm@10`
// (corepack's signature check fails on this machine, so corepack is not used).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot, repoRoot } from './paths.mjs';

const PNPM_VERSION = '10.24.0';
const prefix = join(cacheRoot, 'tools', `pnpm-${PNPM_VERSION}`);
const pnpmBin = join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

export function ensurePnpm() {
  if (existsSync(pnpmBin)) return pnpmBin;
  mkdirSync(prefix, { recursive: true });
  console.error(`[setup] installing pnpm ${PNPM_VERSION} into ${prefix}`);
  const r = spawnSync(
    'npx',
    ['-y', `pnpm@${PNPM_VERSION}`, 'add', `pnpm@${PNPM_VERSION}`, '--dir', prefix, '--ignore-workspace'],
    { stdio: 'inherit', cwd: prefix },
  );
  if (r.status !== 0 || !existsSync(pnpmBin)) {
    throw new Error(
      `could not bootstrap pnpm ${PNPM_VERSION} with npx (exit ${r.status}); check npm registry access`,
    );
  }
  return pnpmBin;
}

export function pnpm(args, opts = {}) {
  const bin = ensurePnpm();
  return spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', cwd: repoRoot, ...opts });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = pnpm(process.argv.slice(2));
  process.exit(r.status ?? 1);
}

#!/usr/bin/env node
// Packs dist/ as Grafana expects a plugin archive: one top-level folder named by the plugin id holding module.js,
// plugin.json, img/, README.md. Writes dist-zip/<id>-<version>.zip (and prints its path and size).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const { id, info } = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = {};
for (const p of walk(dist)) {
  if (p.endsWith('.map')) continue; // source maps stay out of the release archive
  files[`${id}/${relative(dist, p).split('\\').join('/')}`] = readFileSync(p);
}
const outDir = join(root, 'dist-zip');
mkdirSync(outDir, { recursive: true });
const zipPath = join(outDir, `${id}-${info.version}.zip`);
writeFileSync(zipPath, zipSync(files, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }));
console.log(
  `${relative(root, zipPath)} (${statSync(zipPath).size} bytes, ${Object.keys(files).length} files)`,
);

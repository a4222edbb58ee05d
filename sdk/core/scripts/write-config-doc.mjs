#!/usr/bin/env node
// Writes docs/configuration.md from the configuration schema (the built package: run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { renderConfigDoc } = await import('../dist/config/reference-doc.js');
const target = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
writeFileSync(target, renderConfigDoc());
console.log(`wrote ${target}`);

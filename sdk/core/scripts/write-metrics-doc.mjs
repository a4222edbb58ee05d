#!/usr/bin/env node
// Writes docs/metrics.md from the telemetry conventions. Transpiles just the two browser-safe modules it
// needs (conventions.ts, metrics-doc.ts) so it works without building the whole package.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const srcDir = fileURLToPath(new URL('../src/telemetry/', import.meta.url));
const target = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'omnicache-metrics-doc-'));
try {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  for (const file of ['conventions.ts', 'metrics-doc.ts']) {
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, file), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
  const { renderMetricsDoc } = await import(pathToFileURL(join(outDir, 'metrics-doc.js')).href);
  writeFileSync(target, renderMetricsDoc());
  console.log(`wrote ${target}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

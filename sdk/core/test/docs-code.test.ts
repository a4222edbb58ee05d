import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { codeBlocks, markdownFiles } from './helpers/doc-blocks.js';

// Every ```ts block of the docs (docs/**/*.md and the README) is type-checked as its own module against the built
// package (`omnicache`, `omnicache/fastify`, ... resolved like a user's import), with the core's strict compiler
// options. Names a snippet uses but does not define (your database, a request id) are declared in an HTML comment
// right above the block, which readers do not see: `<!-- ts-prelude: declare const id: number; -->`.
const coreDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(coreDir, '..', '..');
const DOCS = markdownFiles(repoDir);

interface Block {
  doc: string;
  line: number;
  file: string;
  code: string;
}

function blocksOf(doc: string): Block[] {
  const out: Block[] = [];
  for (const b of codeBlocks(readFileSync(join(repoDir, doc), 'utf8'))) {
    if (b.lang !== 'ts') continue;
    const dir = b.from === undefined ? join(coreDir, 'test') : join(repoDir, b.from);
    const file = join(dir, `__docs__${doc.replace(/\W/g, '_')}_${b.line}.ts`);
    // the prelude shares the block's first line, so reported line numbers stay those of the doc
    out.push({ doc, line: b.line, file, code: `${b.prelude ?? ''}${b.code}\nexport {};\n` });
  }
  return out;
}

it('every TypeScript block in the docs and the README type-checks', () => {
  const blocks = DOCS.flatMap(blocksOf);
  expect(blocks.length).toBeGreaterThanOrEqual(20);
  const config = ts.getParsedCommandLineOfConfigFile(
    join(coreDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  // rootDir off: blocks checked from another workspace folder (ts-from) live outside the core
  const options = { ...config!.options, noEmit: true, rootDir: repoDir };
  const virtual = new Map(blocks.map((b) => [b.file, b.code]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const code = virtual.get(f);
    return code === undefined
      ? getSourceFile.call(host, f, lang, onError, create)
      : ts.createSourceFile(f, code, lang);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const block = blocks.find((b) => b.file === d.file?.fileName);
    const where = block
      ? `${block.doc}:${block.line + d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line}`
      : (d.file?.fileName ?? 'config');
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 120_000);

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

// Every ```ts block of these docs is type-checked as its own module against the built package (`omnicache`,
// `omnicache/fastify`, ... resolved like a user's import), with the core's strict compiler options.
const DOCS = ['quickstart.md', 'integrations.md', 'cli.md'];
const coreDir = fileURLToPath(new URL('..', import.meta.url));
const docsDir = join(coreDir, '..', '..', 'docs');

interface Block {
  doc: string;
  line: number;
  file: string;
  code: string;
}

function blocksOf(doc: string): Block[] {
  const text = readFileSync(join(docsDir, doc), 'utf8');
  const out: Block[] = [];
  for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, m.index).split('\n').length + 1;
    const file = join(coreDir, 'test', `__docs__${doc.replace(/\W/g, '_')}_${line}.ts`);
    out.push({ doc, line, file, code: `${m[1]}\nexport {};\n` });
  }
  return out;
}

it('every TypeScript block in the quickstart, integrations and CLI docs type-checks', () => {
  const blocks = DOCS.flatMap(blocksOf);
  expect(blocks.length).toBeGreaterThanOrEqual(7);
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
  const options = { ...config!.options, noEmit: true };
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
      ? `docs/${block.doc}:${block.line + d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line}`
      : (d.file?.fileName ?? 'config');
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 120_000);

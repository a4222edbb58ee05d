// Child processes cannot load TypeScript sources directly on Node 20, so multi-process tests transpile the module
// graph they need (following relative `.js` imports) into a temp dir and import it from a plain JS child.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export async function transpileForChild(entry: string, srcRoot: string, outRoot: string): Promise<string> {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    const out = join(outRoot, relative(srcRoot, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
    for (const match of outputText.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) {
      queue.push(resolve(dirname(file), `${match[1]}.ts`));
    }
  }
  return join(outRoot, relative(srcRoot, resolve(entry))).replace(/\.ts$/, '.js');
}

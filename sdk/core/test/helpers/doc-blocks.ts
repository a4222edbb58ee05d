// Fenced code blocks of the user docs (docs/**/*.md and the README), with the line each starts on and the optional
// hidden prelude (`<!-- ts-prelude: ... -->` on the line(s) just above the fence) the docs tests put in front.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CodeBlock {
  /** Language tag ('' when the fence has none). */
  lang: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  line: number;
  code: string;
  /** Declarations from a `<!-- ts-prelude: ... -->` comment above the block, on one line (no line shift). */
  prelude?: string;
  /**
   * `<!-- ts-from: bench -->` above the block: type-check it as a module of that workspace folder (its dependencies,
   * e.g. the peers the migration guides show: bentocache, cache-manager, keyv), not of the core.
   */
  from?: string;
}

/** docs/**\/*.md and README.md, relative to `repoDir`, sorted. */
export function markdownFiles(repoDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((f) => {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) return walk(p);
        return f.endsWith('.md') ? [relative(repoDir, p)] : [];
      });
  return ['README.md', ...walk(join(repoDir, 'docs'))];
}

export function codeBlocks(text: string): CodeBlock[] {
  const lines = text.split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (lines[j]!.trim() === fence) break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
    }
    let prelude: string | undefined;
    const before = lines.slice(Math.max(0, i - 3), i).join('\n');
    const m = /<!--\s*ts-prelude:([\s\S]*?)-->\s*$/.exec(before);
    if (m) prelude = `${m[1]!.replace(/\s*\n\s*/g, ' ').trim()} `;
    const from = /<!--\s*ts-from:\s*([\w/-]+)\s*-->/.exec(before)?.[1];
    out.push({
      lang,
      line: i + 2,
      code: body.join('\n'),
      ...(prelude === undefined ? {} : { prelude }),
      ...(from === undefined ? {} : { from }),
    });
    i = j;
  }
  return out;
}

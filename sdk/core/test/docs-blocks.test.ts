import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cacheFileConfigSchema } from '../src/config/file-schema.js';
import { configFields, envName } from '../src/config/schema-fields.js';
import { type CodeBlock, codeBlocks, markdownFiles } from './helpers/doc-blocks.js';

// Every code block of the docs and the README that is not TypeScript (those are type-checked by
// docs-code.test.ts) is checked here, so that none can rot:
// - sh: every command is one this repository or a user has: `npm install` of omnicache and its peer dependencies,
//   root npm scripts (`npm run bench -- <suite>` with an existing suite), `omnicache <command>` with the options that
//   command's --help lists (run against the built CLI), git clone/cd, and curl/promtool/amtool against 127.0.0.1
//   or the files in this repository; `NAME=value` before a command must name a configuration variable
//   (configuration.md) or one a docs table documents in its first column (the demo's own, docs/demo.md);
// - yaml: parses; an OmniCache configuration is validated by the configuration file schema; a block whose first line
//   is `# <path>` is an excerpt of that file (its lines appear there, in order);
// - json: parses;
// - text: drawings and sample output, not code (each has to say so with the `text` tag).
const repoDir = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repoDir, 'sdk', 'cli', 'bin', 'omnicache.js');
const rootScripts = Object.keys(
  (JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);
const corePkg = JSON.parse(readFileSync(join(repoDir, 'sdk', 'core', 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
};
const installable = new Set(['omnicache', ...Object.keys(corePkg.peerDependencies)]);

interface DocBlock extends CodeBlock {
  doc: string;
}
const blocks: DocBlock[] = markdownFiles(repoDir).flatMap((doc) =>
  codeBlocks(readFileSync(join(repoDir, doc), 'utf8')).map((b) => ({ ...b, doc })),
);
const where = (b: DocBlock) => `${b.doc}:${b.line}`;
const knownVariables = new Set([
  'OMNICACHE_CONFIG',
  ...configFields(cacheFileConfigSchema).map((f) => envName(f.path)),
  ...markdownFiles(repoDir).flatMap((doc) =>
    [...readFileSync(join(repoDir, doc), 'utf8').matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/gm)].map(
      (m) => m[1]!,
    ),
  ),
]);

const helpCache = new Map<string, string | undefined>();
/** The --help text of an omnicache command (undefined when there is no such command). */
function cliHelp(words: string[]): string | undefined {
  const id = words.join(' ');
  if (!helpCache.has(id)) {
    const r = spawnSync(process.execPath, [cli, ...words, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    // commander prints the parent's help for an unknown sub-command: require the usage line to name it
    const ok = r.status === 0 && new RegExp(`Usage: omnicache ${words.join(' ')}\\b`).test(r.stdout);
    helpCache.set(id, ok ? r.stdout : undefined);
  }
  return helpCache.get(id);
}

/** Problems with one shell command line (comments and continuation lines already joined). */
function checkCommand(line: string): string | undefined {
  const words = line.split(/\s+/).filter((w) => w.length > 0);
  // environment assignments before the command
  while (words[0] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const name = words.shift()!.split('=')[0]!;
    if (!knownVariables.has(name))
      return `unknown environment variable ${name} (neither in configuration.md nor in a docs table)`;
  }
  const [cmd, ...args] = words;
  if (cmd === 'npm' && args[0] === 'pack')
    return args[1] === './sdk/core' ? undefined : 'npm pack of something other than ./sdk/core';
  if (cmd === 'npm' && args[0] === 'install') {
    // the core packed from a clone (npm pack ./sdk/core) counts as omnicache
    const bad = args
      .slice(1)
      .filter((p) => !p.startsWith('-') && !installable.has(p) && !/^\.\/omnicache-[\d.]+\.tgz$/.test(p));
    return bad.length > 0
      ? `npm install of packages that are neither omnicache nor its peers: ${bad.join(', ')}`
      : undefined;
  }
  if (cmd === 'npm' && args[0] === 'test') return undefined;
  if (cmd === 'npm' && args[0] === 'run') {
    const rest = args.slice(1).filter((a) => a !== '-s');
    const script = rest[0] ?? '';
    if (!rootScripts.includes(script)) return `no root npm script "${script}"`;
    const after = rest.indexOf('--') >= 0 ? rest.slice(rest.indexOf('--') + 1) : [];
    if (script === 'omnicache') return checkOmnicache(after);
    if (script === 'bench' && after[0] !== undefined && !existsSync(join(repoDir, 'bench', after[0])))
      return `no benchmark suite bench/${after[0]}`;
    return undefined;
  }
  if (cmd === 'npx' && args[0] === 'omnicache') return checkOmnicache(args.slice(1));
  if (cmd === 'omnicache') return checkOmnicache(args);
  if (cmd === 'git' && args[0] === 'clone') return undefined;
  if (cmd === 'cd') return undefined;
  if (cmd === 'curl' || cmd === 'promtool' || cmd === 'amtool') {
    const urls = args.filter((a) => /^https?:\/\//.test(a));
    const remote = urls.filter((u) => !u.startsWith('http://127.0.0.1:'));
    if (remote.length > 0) return `${cmd} against something other than 127.0.0.1: ${remote.join(', ')}`;
    const files = args.filter((a) => /\.(ya?ml|json)$/.test(a));
    const missing = files.filter((f) => !existsSync(join(repoDir, f)));
    return missing.length > 0 ? `files not in the repository: ${missing.join(', ')}` : undefined;
  }
  return `unknown command "${cmd}" (add it to docs-blocks.test.ts with a check, or make the block "text")`;
}

function checkOmnicache(args: string[]): string | undefined {
  const command: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || cliHelp([...command, a]) === undefined) break;
    command.push(a);
  }
  if (command.length === 0) return `no omnicache command in "omnicache ${args.join(' ')}"`;
  const help = cliHelp(command)!;
  const flags = args
    .filter((a) => a.startsWith('--'))
    .map((a) => a.replace(/[=\]].*$/, '').replace(/^\[/, ''));
  const unknown = flags.filter((f) => !help.includes(f));
  return unknown.length > 0
    ? `omnicache ${command.join(' ')} has no option ${unknown.join(', ')}`
    : undefined;
}

/** Command lines of a sh block: comments dropped, backslash continuations joined, pipes split. */
function commandLines(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l.length > 0)
    .flatMap((l) => l.split(/\s*(?:\||&&)\s*/).slice(0, 1));
}

function isCacheConfig(doc: unknown): doc is Record<string, unknown> {
  return typeof doc === 'object' && doc !== null && ('l1' in doc || 'encryption' in doc || 'defaults' in doc);
}

describe('docs code blocks other than TypeScript', () => {
  it('every block has a language tag: ts, sh, yaml, json or text', () => {
    const untagged = blocks.filter((b) => !['ts', 'sh', 'yaml', 'json', 'text'].includes(b.lang));
    expect(untagged.map((b) => `${where(b)} [${b.lang}]`)).toEqual([]);
  });

  it('every shell command exists (npm scripts, omnicache commands and their options, packages)', () => {
    const problems: string[] = [];
    const sh = blocks.filter((b) => b.lang === 'sh');
    expect(sh.length).toBeGreaterThanOrEqual(10);
    for (const b of sh)
      for (const line of commandLines(b.code)) {
        const p = checkCommand(line);
        if (p !== undefined) problems.push(`${where(b)}: ${p} — ${line}`);
      }
    expect(problems).toEqual([]);
  }, 60_000);

  it('the command check catches what would rot: unknown options, commands, scripts and packages', () => {
    expect(checkCommand('npx omnicache stats --url http://127.0.0.1:9464/metrics --no-such-option')).toMatch(
      /has no option --no-such-option/,
    );
    expect(checkCommand('omnicache no-such-command')).toMatch(/no omnicache command/);
    expect(checkCommand('npm run no-such-script')).toMatch(/no root npm script/);
    expect(checkCommand('npm run bench -- no-such-suite')).toMatch(/no benchmark suite/);
    expect(checkCommand('npm install omnicache left-pad')).toMatch(/left-pad/);
    expect(checkCommand('curl https://example.com')).toMatch(/other than 127\.0\.0\.1/);
    expect(checkCommand('npx omnicache inspect k --config omnicache.yaml --json')).toBeUndefined();
    expect(checkCommand('OMNICACHE_L2_REDIS_URL=redis://127.0.0.1:6379 npm run demo')).toBeUndefined();
    expect(checkCommand('OMNICACHE_L2_REDIS_URI=redis://127.0.0.1:6379 npm run demo')).toMatch(
      /unknown environment variable OMNICACHE_L2_REDIS_URI/,
    );
    expect(checkCommand('OMNICACHE_L2_REDIS_URL=redis://127.0.0.1:6379 npm run no-such-script')).toMatch(
      /no root npm script/,
    );
  });

  it('YAML parses; configurations pass the config file schema; excerpts match their file', () => {
    const problems: string[] = [];
    for (const b of blocks.filter((x) => x.lang === 'yaml')) {
      let doc: unknown;
      try {
        doc = parseYaml(b.code);
      } catch (error) {
        problems.push(`${where(b)}: not YAML: ${(error as Error).message}`);
        continue;
      }
      const source = /^#\s*(\S+\.ya?ml)\s*$/.exec(b.code.split('\n')[0] ?? '')?.[1];
      if (source !== undefined && existsSync(join(repoDir, source))) {
        const file = readFileSync(join(repoDir, source), 'utf8').split('\n');
        let at = 0;
        for (const l of b.code.split('\n').slice(1)) {
          if (l.trim() === '' || l.trim() === '...') continue;
          // indentation aside (the formatter re-indents excerpts that start inside a mapping)
          const found = file.findIndex((f, i) => i >= at && f.trim() === l.trim());
          if (found < 0) {
            problems.push(`${where(b)}: line not found (in order) in ${source}: ${l}`);
            break;
          }
          at = found + 1;
        }
      } else if (isCacheConfig(doc)) {
        const r = cacheFileConfigSchema.safeParse({ name: 'docs', l1: { capacity: 1 }, ...doc });
        if (!r.success) problems.push(`${where(b)}: not a valid configuration: ${r.error.message}`);
      } else {
        problems.push(`${where(b)}: neither an OmniCache configuration nor an excerpt of a file (# path)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('JSON parses', () => {
    const bad = blocks
      .filter((b) => b.lang === 'json')
      .flatMap((b) => {
        try {
          JSON.parse(b.code);
          return [];
        } catch (error) {
          return [`${where(b)}: ${(error as Error).message}`];
        }
      });
    expect(bad).toEqual([]);
  });
});

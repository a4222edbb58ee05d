import type { Command } from 'commander';
import { inspectKey, type KeyReport, loadCacheConfig } from 'omnicache';
import pc from 'picocolors';
import { CliError, useColour } from './cli-error.js';

interface InspectFlags {
  config: string;
  namespace?: string;
  json?: boolean;
}

export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('which remote tiers hold a key, its size, freshness windows, tags and encryption key id')
    .argument('<key>', 'the key as the application passes it to the cache')
    .requiredOption('--config <file>', 'the cache configuration file (YAML or JSON, as for loadCacheConfig)')
    .option('--namespace <path>', 'namespace of the key (a, or a:b when nested)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (key: string, flags: InspectFlags) => {
      process.exitCode = await runInspect(key, flags);
    });
}

function render(r: KeyReport, c: ReturnType<typeof pc.createColors>): string {
  const lines = [
    `${c.bold(r.key)}  cache ${r.cache}${r.namespace ? `, namespace ${r.namespace}` : ''}  ${c.dim(`stored as ${r.storedKey}`)}`,
    `l1: in-process memory of each application instance (not visible from here)`,
  ];
  if (r.tiers.length === 0) lines.push(c.yellow('the configuration has no remote tier (l2, l3)'));
  for (const t of r.tiers) {
    const head = `${t.tier} (${t.kind}): `;
    if (!t.found) {
      lines.push(head + (t.error ? c.red(t.error) : c.dim('not present')));
      continue;
    }
    const state =
      t.state === 'fresh'
        ? c.green('fresh')
        : t.state === 'stale'
          ? c.yellow('stale')
          : c.red(t.state ?? '?');
    lines.push(
      `${head}${state}, ${t.bytes} bytes, compression ${t.compression ?? '?'}, ${t.encryptionKeyId ? `encrypted with key "${t.encryptionKeyId}"` : 'not encrypted'}`,
    );
    if (t.freshUntil)
      lines.push(`    fresh until ${t.freshUntil}, servable stale until ${t.staleUntil} (ttl ${t.ttlMs} ms)`);
    if (t.tags) lines.push(`    tags: ${t.tags.length > 0 ? t.tags.join(', ') : c.dim('none')}`);
    if (t.error) lines.push(`    ${c.red(t.error)}`);
  }
  return lines.join('\n');
}

/** Exit codes: 0 found in some tier, 1 in none, 2 bad input or config, 3 every tier failed. */
async function runInspect(key: string, flags: InspectFlags): Promise<number> {
  let config: Awaited<ReturnType<typeof loadCacheConfig>>;
  try {
    config = await loadCacheConfig({ file: flags.config });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw new CliError(
        `config file ${flags.config} does not exist; give the file the application loads`,
        2,
      );
    throw error;
  }
  const report = await inspectKey(config, key, flags.namespace ? { namespace: flags.namespace } : {});
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${render(report, pc.createColors(useColour(process.stdout, flags.json)))}\n`);
  if (report.tiers.some((t) => t.found)) return 0;
  if (report.tiers.length > 0 && report.tiers.every((t) => t.error !== undefined)) return 3;
  return 1;
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ConfigError, createPiiScanner, isPiiType, PII_TYPES, type PiiType } from 'omnicache';
import { phoneDetector } from 'omnicache/pii-phone';

interface ScanFlags {
  json?: boolean;
  types?: string;
}

export function piiCommand(program: Command): void {
  const pii = program.command('pii').description('PII detection');
  pii
    .command('scan')
    .description(
      'find PII in FILE (or stdin with -), one record per line. With --json, one JSON object per input line: {"line": N, "findings": [{"type", "start", "end"}]} (N from 1; start/end are JavaScript string indices, end exclusive)',
    )
    .argument('<file>', 'file to scan, or - for stdin')
    .option('--json', 'one JSON object per input line')
    .option('--types <list>', `comma-separated types (default all): ${PII_TYPES.join(', ')}`)
    .action(async (file: string, flags: ScanFlags) => {
      await runScan(file, flags);
    });
}

function parseTypes(list: string | undefined): PiiType[] | undefined {
  if (list === undefined) return undefined;
  return list.split(',').map((t) => {
    const type = t.trim();
    if (!isPiiType(type))
      throw new ConfigError(`unknown PII type "${type}"; use one of ${PII_TYPES.join(', ')}`);
    return type;
  });
}

async function runScan(file: string, flags: ScanFlags): Promise<void> {
  const types = parseTypes(flags.types);
  const scanner = createPiiScanner({ phone: phoneDetector(), ...(types ? { types } : {}) });
  const input = file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') resolve();
    else {
      input.once('open', () => resolve());
      input.once('error', (e: Error) => reject(new ConfigError(`cannot read ${file}: ${e.message}`)));
    }
  });
  await opened;
  // `omnicache pii scan big.log | head`: a closed pipe ends the scan quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const counts = new Map<PiiType, number>();
  let n = 0;
  let out = '';
  const flush = async () => {
    if (out.length === 0) return;
    const chunk = out;
    out = '';
    if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
  };
  for await (const line of lines) {
    n++;
    const findings = scanner.scan(line);
    for (const f of findings) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
    if (flags.json) {
      out += `${JSON.stringify({ line: n, findings: findings.map((f) => ({ type: f.type, start: f.start, end: f.end })) })}\n`;
    } else if (findings.length > 0) {
      out += `${n}: ${findings.map((f) => `${f.type} ${f.start}-${f.end}`).join(', ')}\n`;
    }
    if (out.length > 65_536) await flush();
  }
  await flush();
  if (!flags.json) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const byType = [...counts].map(([t, c]) => `${t} ${c}`).join(', ');
    process.stderr.write(`${n} lines scanned, ${total} findings${total > 0 ? ` (${byType})` : ''}\n`);
  }
}

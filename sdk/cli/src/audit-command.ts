import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type AuditVerifyReport, ConfigError, verifyAuditLog } from 'omnicache';

interface VerifyFlags {
  checkpoints?: string;
  key?: string;
  json?: boolean;
}

export function auditCommand(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'verify an audit log: reports the first broken record and classifies modification, deletion, insertion, reordering and truncation; exits 1 on any',
    )
    .argument('<file>', 'the JSONL audit log')
    .option('--checkpoints <file>', 'signed checkpoint file (detects truncation); needs --key')
    .option(
      '--key <file>',
      'checkpoint key: an Ed25519 public key (PEM), or the HMAC secret (hex, or raw bytes)',
    )
    .option('--json', 'print the report as one JSON object')
    .action(async (file: string, flags: VerifyFlags) => {
      await runVerify(file, flags);
    });
}

async function read(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

async function loadKey(path: string): Promise<Uint8Array | KeyObject> {
  const raw = await read(path, 'key file');
  const text = raw.toString('utf8').trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text);
  if (/^[0-9a-fA-F]{64,}$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  return raw;
}

async function runVerify(file: string, flags: VerifyFlags): Promise<void> {
  if (flags.checkpoints !== undefined && flags.key === undefined) {
    throw new ConfigError(
      '--checkpoints needs --key (the HMAC secret or the Ed25519 public key) to check signatures',
    );
  }
  const text = (await read(file, 'audit log')).toString('utf8');
  const report: AuditVerifyReport = verifyAuditLog(text, {
    ...(flags.checkpoints !== undefined
      ? { checkpoints: (await read(flags.checkpoints, 'checkpoint file')).toString('utf8') }
      : {}),
    ...(flags.key !== undefined ? { key: await loadKey(flags.key) } : {}),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ file, ...report })}\n`);
  } else if (report.ok) {
    process.stdout.write(
      `ok: ${report.records} records, chain intact up to seq ${report.lastSeq}${flags.checkpoints ? `, ${report.checkpointsChecked} signed checkpoints match` : ' (no checkpoints given: truncation of the tail is not checked)'}\n`,
    );
  } else {
    const first = report.problems[0]!;
    process.stdout.write(
      `BROKEN: first broken record at line ${first.line}${first.seq !== undefined ? ` (seq ${first.seq})` : ''}: ${first.kind}: ${first.message}\n`,
    );
    for (const p of report.problems.slice(1)) {
      process.stdout.write(
        `  line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}: ${p.kind}: ${p.message}\n`,
      );
    }
  }
  if (!report.ok) process.exitCode = 1;
}

#!/usr/bin/env node
import { Command } from 'commander';
import { OmniCacheError } from 'omnicache';
import { auditCommand } from './audit-command.js';
import { CliError } from './cli-error.js';
import { inspectCommand } from './inspect-command.js';
import { keysCommand } from './keys-command.js';
import { piiCommand } from './pii-command.js';
import { securityCommand } from './security-command.js';
import { simulateCommand } from './simulate-command.js';
import { statsCommand } from './stats-command.js';

const program = new Command()
  .name('omnicache')
  .description(
    'OmniCache command line: trace replay, PII scanning, audit log verification, security checks and key rotation',
  )
  .showHelpAfterError()
  .exitOverride();

simulateCommand(program);
piiCommand(program);
auditCommand(program);
securityCommand(program);
keysCommand(program);
statsCommand(program);
inspectCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`omnicache: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (err instanceof OmniCacheError) {
    process.stderr.write(`omnicache: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
    // commander already printed its message: help and version exit 0, usage errors 2 (see docs/cli.md)
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(
      `omnicache: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  }
}

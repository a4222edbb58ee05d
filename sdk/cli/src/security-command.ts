import type { Command } from 'commander';
import { scanConfig } from './security/scan.js';

interface ScanFlags {
  config?: string;
  json?: boolean;
}

export function securityCommand(program: Command): void {
  const security = program.command('security').description('security checks of a cache configuration');
  security
    .command('scan')
    .description(
      'check a configuration file: unencrypted remote tiers, Redis without TLS or auth, weak or old keys, redaction/audit off, unsigned webhooks; exits 1 on a high finding',
    )
    .option('--config <file>', 'YAML or JSON cache configuration (default: $OMNICACHE_CONFIG)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: ScanFlags) => {
      const file = flags.config ?? process.env.OMNICACHE_CONFIG;
      if (file === undefined) {
        process.stderr.write('omnicache security scan: pass --config FILE (or set OMNICACHE_CONFIG)\n');
        process.exitCode = 2;
        return;
      }
      const report = await scanConfig(file);
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const lines = [`Security scan of ${report.config}`, ''];
        if (report.findings.length === 0) lines.push('No findings.');
        for (const f of report.findings) {
          lines.push(
            `[${f.severity.toUpperCase()}] ${f.id} at ${f.where}`,
            `  ${f.message}`,
            `  fix: ${f.fix}`,
          );
        }
        const s = report.summary;
        lines.push('', `${s.high} high, ${s.medium} medium, ${s.low} low`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (report.summary.high > 0) process.exitCode = 1;
    });
}

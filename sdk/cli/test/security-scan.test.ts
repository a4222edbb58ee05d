import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanConfig } from '../src/security/scan.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'omnicache-scan-'));
function file(name: string, content: string, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, content, { mode });
  return p;
}
const ids = (r: { findings: { id: string; severity: string }[] }) =>
  r.findings.map((f) => `${f.severity}:${f.id}`);
const DAY = 86_400_000;

describe('omnicache security scan', () => {
  it('flags an unencrypted remote tier, Redis without TLS/auth, redaction and audit off; exits 1 (built CLI, --json)', () => {
    const config = file(
      'open.yaml',
      'name: app\nl1: { capacity: 100 }\nl2: { redis: { url: "redis://cache.internal:6379" } }\n',
    );
    const out = runCli(['security', 'scan', '--config', config, '--json']);
    expect(out.status).toBe(1);
    const report = JSON.parse(out.stdout);
    expect(ids(report)).toEqual([
      'high:remote-tier-unencrypted',
      'high:redis-without-tls',
      'high:redis-without-auth',
      'medium:redaction-off',
      'medium:audit-off',
    ]);
    expect(report.summary).toEqual({ high: 3, medium: 2, low: 0 });
    for (const f of report.findings) expect(f.fix.length).toBeGreaterThan(10);
  });

  it('a hardened configuration has no high finding and exits 0 (table output)', () => {
    const keys = file(
      'keys.json',
      JSON.stringify([
        { id: 'k1', key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() },
      ]),
    );
    const config = file(
      'good.yaml',
      [
        'name: app',
        'l1: { capacity: 100 }',
        'l2: { redis: { url: "rediss://cache.internal:6380", password: "from-a-secret" } }',
        `encryption: { local: { keyFile: ${JSON.stringify(keys)} }, rotationDays: 30 }`,
        'redaction: { enabled: true }',
        'audit: { enabled: true }',
        `invalidation: { webhooks: [{ url: "https://x", secret: "${randomBytes(24).toString('hex')}" }] }`,
      ].join('\n'),
    );
    const out = runCli(['security', 'scan', '--config', config]);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/No findings\./);
  });

  it('weak keys, world-readable key files, overdue rotation and unsigned webhooks', async () => {
    const weak = file(
      'weak.json',
      JSON.stringify([{ id: 'k', key: Buffer.alloc(32, 1).toString('base64') }]),
    );
    const open = file(
      'open.json',
      JSON.stringify([{ id: 'k', key: randomBytes(32).toString('base64') }]),
      0o644,
    );
    const old = file(
      'old.json',
      JSON.stringify([
        {
          id: 'k',
          key: randomBytes(32).toString('base64'),
          createdAt: new Date(Date.now() - 200 * DAY).toISOString(),
        },
      ]),
    );
    const cfg = (keyFile: string, extra = '') =>
      file(
        `c-${randomBytes(3).toString('hex')}.yaml`,
        `name: a\nl1: { capacity: 1 }\nencryption: { local: { keyFile: ${JSON.stringify(keyFile)} } }\nredaction: { enabled: true }\naudit: { enabled: true }\n${extra}`,
      );
    expect(ids(await scanConfig(cfg(weak)))).toEqual(['high:weak-key']);
    expect(ids(await scanConfig(cfg(open)))).toEqual(['high:weak-key']);
    expect((await scanConfig(cfg(open))).findings[0]!.message).toMatch(/chmod 600/);
    expect(ids(await scanConfig(cfg(old)))).toEqual(['medium:key-rotation-overdue']);
    expect(ids(await scanConfig(cfg(old, 'invalidation: { webhooks: [{ url: "https://x" }] }\n')))).toEqual([
      'high:webhook-without-secret',
      'medium:key-rotation-overdue',
    ]);
  });

  it('reads keys named by an environment variable; loopback Redis without TLS is low', async () => {
    const config = file(
      'env.yaml',
      'name: a\nl1: { capacity: 1 }\nl2: { redis: { url: "redis://:pw@127.0.0.1:6379" } }\nencryption: { local: { keyEnv: MY_KEYS } }\nredaction: { enabled: true }\naudit: { enabled: true }\n',
    );
    expect(ids(await scanConfig(config, { MY_KEYS: `k:${randomBytes(32).toString('base64')}` }))).toEqual([
      'low:key-age-unknown',
      'low:redis-without-tls',
    ]);
    expect(ids(await scanConfig(config, {}))).toEqual(['high:key-ring-unreadable', 'low:redis-without-tls']);
  });
});

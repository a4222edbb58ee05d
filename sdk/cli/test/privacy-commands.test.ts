import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonlAuditSink, openAuditLog } from 'omnicache';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'omnicache-cli-privacy-'));

describe('omnicache pii scan (built CLI)', () => {
  const text = [
    'contact alice@example.com or +44 20 7946 0958',
    'nothing to see: icon@2x.png, v1.2.3, order ORD-2024-118833',
    'card 4111 1111 1111 1111, ip fe80::1',
  ].join('\n');

  it('prints one JSON object per input line with string indices, end exclusive', () => {
    const file = join(dir, 'in.txt');
    writeFileSync(file, `${text}\n`);
    const out = runCli(['pii', 'scan', '--json', file]);
    expect(out.status).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      {
        line: 1,
        findings: [
          { type: 'email', start: 8, end: 25 },
          { type: 'phone', start: 29, end: 45 },
        ],
      },
      { line: 2, findings: [] },
      {
        line: 3,
        findings: [
          { type: 'credit_card', start: 5, end: 24 },
          { type: 'ipv6', start: 29, end: 36 },
        ],
      },
    ]);
    const lines = text.split('\n');
    expect(lines[0]!.slice(29, 45)).toBe('+44 20 7946 0958');
    expect(lines[2]!.slice(29, 36)).toBe('fe80::1');
  });

  it('reads stdin with -, handles CRLF and non-ASCII, and restricts --types', () => {
    const out = runCli(
      ['pii', 'scan', '--json', '--types', 'email', '-'],
      30_000,
      'é bob@example.org 10.0.0.1\r\nx\r\n',
    );
    expect(out.status).toBe(0);
    expect(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { line: 1, findings: [{ type: 'email', start: 2, end: 17 }] },
      { line: 2, findings: [] },
    ]);
  });

  it('rejects an unknown type with a clear message', () => {
    const out = runCli(['pii', 'scan', '--types', 'passport', '-'], 30_000, 'x\n');
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/unknown PII type "passport"/);
  });
});

describe('omnicache audit verify (built CLI)', () => {
  async function makeLog(name: string, key: Uint8Array | import('node:crypto').KeyObject, n = 8) {
    const path = join(dir, name);
    const log = await openAuditLog({
      sinks: [jsonlAuditSink({ path, checkpoints: { key, everyRecords: 3 } })],
    });
    for (let i = 0; i < n; i++)
      await log.append({ action: 'erasure', target: `user-${i}`, outcome: 'success', details: { l1: i } });
    await log.close();
    return path;
  }
  const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);
  const write = (p: string, ls: string[]) => writeFileSync(p, ls.map((l) => `${l}\n`).join(''));

  it('exits 0 on an intact log and 1 with the first broken record and its kind otherwise', async () => {
    const secret = randomBytes(32);
    const keyFile = join(dir, 'hmac.hex');
    writeFileSync(keyFile, secret.toString('hex'));
    const path = await makeLog('a.jsonl', secret);
    const ok = runCli(['audit', 'verify', path, '--checkpoints', `${path}.checkpoints`, '--key', keyFile]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 8 records/);

    const clean = lines(path);
    const cases: [string, string[]][] = [
      ['modification', clean.map((l, i) => (i === 4 ? l.replace('user-4', 'user-X') : l))],
      ['deletion', clean.filter((_, i) => i !== 4)],
      ['insertion', [...clean.slice(0, 4), clean[1]!, ...clean.slice(4)]],
      ['reordering', [...clean.slice(0, 3), clean[4]!, clean[3]!, ...clean.slice(5)]],
      ['truncation', clean.slice(0, 5)],
    ];
    for (const [kind, ls] of cases) {
      write(path, ls);
      const out = runCli([
        'audit',
        'verify',
        path,
        '--checkpoints',
        `${path}.checkpoints`,
        '--key',
        keyFile,
        '--json',
      ]);
      expect(out.status, kind).toBe(1);
      const report = JSON.parse(out.stdout);
      expect(report.ok).toBe(false);
      expect(
        report.problems.map((p: { kind: string }) => p.kind),
        kind,
      ).toContain(kind);
      const human = runCli([
        'audit',
        'verify',
        path,
        '--checkpoints',
        `${path}.checkpoints`,
        '--key',
        keyFile,
      ]);
      expect(human.stdout).toMatch(new RegExp(`^BROKEN: first broken record at line \\d+.*${kind}`));
    }
  });

  it('verifies Ed25519 checkpoints with the public key PEM', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const path = await makeLog('b.jsonl', privateKey);
    const pem = join(dir, 'pub.pem');
    writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(
      runCli(['audit', 'verify', path, '--checkpoints', `${path}.checkpoints`, '--key', pem]).status,
    ).toBe(0);
    write(path, lines(path).slice(0, 4));
    const out = runCli(['audit', 'verify', path, '--checkpoints', `${path}.checkpoints`, '--key', pem]);
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/truncation/);
  });
});

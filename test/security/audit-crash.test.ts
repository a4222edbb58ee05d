import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonlAuditSink, openAuditLog, verifyAuditLog } from 'omnicache';
import { afterAll, describe, expect, it } from 'vitest';

const WRITER = fileURLToPath(new URL('./audit-crash-writer.mjs', import.meta.url));
const ROUNDS = Number(process.env.AUDIT_CRASH_ROUNDS ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'omnicache-audit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer, SIGKILLs it `afterMs` after it started acknowledging, returns the acknowledged seqs. */
function runAndKill(
  path: string,
  secret: Buffer,
  afterMs: number,
): Promise<{ acked: number[]; startSeq: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, secret.toString('hex')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let err = '';
    const acked: number[] = [];
    let startSeq = -1;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ready ')) startSeq = Number(line.slice(6));
        else acked.push(Number(line));
        nl = buf.indexOf('\n');
      }
      if (timer === undefined && acked.length > 0) timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal}: ${err}`));
      else resolve({ acked, startSeq });
    });
  });
}

describe('audit log under SIGKILL', () => {
  it(`keeps every acknowledged record and a valid chain across ${ROUNDS} kills`, async () => {
    const path = join(dir, 'audit.jsonl');
    const secret = randomBytes(32);
    let expectedNext = 1;
    let totalAcked = 0;
    let repaired = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { acked, startSeq } = await runAndKill(path, secret, 5 + Math.floor(Math.random() * 120));
      // The writer continued the chain where the last durable record left it.
      expect(startSeq + 1).toBeGreaterThanOrEqual(expectedNext);
      expect(acked.length).toBeGreaterThan(0);
      totalAcked += acked.length;
      if (round % 5 === 4) appendFileSync(path, '{"seq":999999,"time":"torn'); // a torn line, as a crash mid-write leaves

      // Restart: opening repairs a torn tail and continues the chain.
      const sink = jsonlAuditSink({ path });
      const log = await openAuditLog({ sinks: [sink] });
      if (sink.repairedBytes > 0) repaired++;
      await log.close();

      const text = readFileSync(path, 'utf8');
      const report = verifyAuditLog(text, {
        checkpoints: readFileSync(`${path}.checkpoints`, 'utf8'),
        key: secret,
      });
      expect(report.problems).toEqual([]);
      const present = new Set(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { seq: number }).seq),
      );
      const lost = acked.filter((s) => !present.has(s));
      expect(lost, `round ${round}: acknowledged records missing after SIGKILL`).toEqual([]);
      expectedNext = report.lastSeq + 1;
    }
    expect(repaired).toBeGreaterThanOrEqual(Math.floor(ROUNDS / 5));
    expect(totalAcked).toBeGreaterThan(ROUNDS);
  });
});

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogError } from '../../src/errors.js';
import { AuditLog, openAuditLog } from '../../src/security/audit/audit-log.js';
import { canonicalJson } from '../../src/security/audit/canonical.js';
import { jsonlAuditSink } from '../../src/security/audit/jsonl-sink.js';
import { type AuditRecord, GENESIS_HASH, hashRecord } from '../../src/security/audit/record.js';
import type { AuditSink } from '../../src/security/audit/sink.js';
import { verifyAuditLog } from '../../src/security/audit/verify.js';
import { createPiiRedactor } from '../../src/security/pii/redactor.js';

const dirs: string[] = [];
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'omnicache-audit-'));
  dirs.push(d);
  return join(d, 'audit.jsonl');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function writeLog(path: string, n: number, hmac?: Uint8Array): Promise<void> {
  const log = await openAuditLog({
    sinks: [jsonlAuditSink({ path, ...(hmac ? { checkpoints: { key: hmac, everyRecords: 5 } } : {}) })],
    actor: 'test',
  });
  for (let i = 0; i < n; i++) {
    await log.append({ action: 'clear', target: `ns-${i}`, outcome: 'success', details: { removed: i } });
  }
  await log.close();
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const rewrite = (path: string, ls: string[]) => writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
const kinds = (path: string, opts = {}) =>
  verifyAuditLog(readFileSync(path, 'utf8'), opts).problems.map((p) => p.kind);

describe('canonical encoding', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });

  it('is the same for objects that differ only in key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(o));
        // and it is valid JSON that means the same thing
        expect(JSON.parse(canonicalJson(o))).toEqual(JSON.parse(JSON.stringify(o)));
      }),
    );
  });

  it('rejects what JSON cannot carry exactly', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ a: new Date() })).toThrow(/plain JSON/);
  });
});

describe('audit chain', () => {
  it('links every record to the previous one and survives a restart', async () => {
    const path = tempFile();
    await writeLog(path, 3);
    await writeLog(path, 2);
    const recs = lines(path).map((l) => JSON.parse(l) as AuditRecord);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(recs[0]!.prev).toBe(GENESIS_HASH);
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.prev).toBe(recs[i - 1]!.hash);
    for (const r of recs) expect(hashRecord(r)).toBe(r.hash);
    expect(verifyAuditLog(readFileSync(path, 'utf8'))).toMatchObject({ ok: true, records: 5, lastSeq: 5 });
  });

  it('chains concurrent appends in call order and acknowledges them all (group commit)', async () => {
    const path = tempFile();
    const log = await openAuditLog({ sinks: [jsonlAuditSink({ path })] });
    const acked = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        log.append({ action: 'access.denied', target: `k${i}`, outcome: 'denied' }),
      ),
    );
    expect(acked.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    await log.close();
    expect(lines(path)).toHaveLength(500);
    expect(verifyAuditLog(readFileSync(path, 'utf8')).ok).toBe(true);
  });

  it('bounds the records waiting for the disk', async () => {
    const path = tempFile();
    const log = await openAuditLog({ sinks: [jsonlAuditSink({ path, maxPending: 10 })] });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        log.append({ action: 'clear', target: `t${i}`, outcome: 'success' }),
      ),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(String((rejected[0] as PromiseRejectedResult).reason)).toMatch(/maxPending 10/);
    // once the disk caught up, appends are accepted again, and refused ones left no gap in the chain
    await log.append({ action: 'clear', target: 'later', outcome: 'success' });
    await log.close();
    expect(verifyAuditLog(readFileSync(path, 'utf8'))).toMatchObject({
      ok: true,
      records: 30 - rejected.length + 1,
    });
  });

  it('rejects a bad entry without taking a sequence number', async () => {
    const path = tempFile();
    const log = await openAuditLog({ sinks: [jsonlAuditSink({ path })] });
    await expect(log.append({ action: 'nope' as 'clear', target: 'x', outcome: 'success' })).rejects.toThrow(
      /unknown audit action/,
    );
    await expect(
      log.append({
        action: 'clear',
        target: 'x',
        outcome: 'success',
        details: { n: Number.POSITIVE_INFINITY },
      }),
    ).rejects.toThrow(/finite/);
    const r = await log.append({ action: 'clear', target: 'x', outcome: 'success' });
    expect(r.seq).toBe(1);
    await log.close();
  });

  it('rejects a record over maxRecordBytes (counted after redaction) without taking a sequence number', async () => {
    const path = tempFile();
    const log = await openAuditLog({
      sinks: [jsonlAuditSink({ path })],
      maxRecordBytes: 4_096,
      redactor: createPiiRedactor({ key: randomBytes(32) }),
    });
    const append = (note: string) =>
      log.append({ action: 'clear', target: 'x', outcome: 'success', details: { note } });
    await expect(append('é'.repeat(2_100))).rejects.toThrow(AuditLogError); // 4,200 bytes in UTF-8
    await expect(append('é'.repeat(2_100))).rejects.toThrow(/maxRecordBytes \(4096\).*keep details small/);
    // Redaction can grow a value (a short e-mail address becomes a longer marker): the limit applies to what is stored.
    expect(
      Buffer.byteLength(canonicalJson({ note: `${'x'.repeat(4_062)} a@b.co` })) +
        'x'.length +
        'omnicache'.length,
    ).toBeLessThanOrEqual(4_096);
    await expect(append(`${'x'.repeat(4_062)} a@b.co`)).rejects.toThrow(/maxRecordBytes/);
    expect((await append('é'.repeat(1_000))).seq).toBe(1);
    await log.close();
    expect(verifyAuditLog(readFileSync(path, 'utf8'))).toMatchObject({ ok: true, records: 1 });
  });

  it('has a default record limit under the 1 MB Kafka message size', async () => {
    const log = await openAuditLog({ sinks: [jsonlAuditSink({ path: tempFile() })] });
    await expect(
      log.append({
        action: 'clear',
        target: 'x',
        outcome: 'success',
        details: { blob: 'x'.repeat(600_000) },
      }),
    ).rejects.toThrow(/maxRecordBytes \(524288\)/);
    await log.close();
  });

  it('redacts PII in target, actor and details before hashing', async () => {
    const path = tempFile();
    const redactor = createPiiRedactor({ key: 'k'.repeat(32) });
    const log = await openAuditLog({ sinks: [jsonlAuditSink({ path })], redactor });
    const r = await log.append({
      action: 'erasure',
      target: 'subject alice@example.com',
      actor: 'admin bob@example.org',
      outcome: 'success',
      details: { note: 'ip 10.1.2.3', n: 2 },
    });
    await log.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('10.1.2.3');
    expect(r.target).toBe(`subject ${redactor.marker('email', 'alice@example.com')}`);
    expect(r.details).toEqual({ note: `ip ${redactor.marker('ipv4', '10.1.2.3')}`, n: 2 });
    expect(verifyAuditLog(text).ok).toBe(true);
  });

  it('cuts a torn last line on open and continues the chain', async () => {
    const path = tempFile();
    await writeLog(path, 4);
    appendFileSync(path, '{"seq":5,"time":"2026-');
    expect(kinds(path)).toEqual(['truncation']);
    const sink = jsonlAuditSink({ path });
    const log = await openAuditLog({ sinks: [sink] });
    expect(sink.repairedBytes).toBe(Buffer.byteLength('{"seq":5,"time":"2026-'));
    expect((await log.append({ action: 'clear', target: 'x', outcome: 'success' })).seq).toBe(5);
    await log.close();
    expect(verifyAuditLog(readFileSync(path, 'utf8'))).toMatchObject({ ok: true, records: 5 });
  });

  it('refuses to continue after a damaged complete last line', async () => {
    const path = tempFile();
    await writeLog(path, 2);
    appendFileSync(path, 'garbage\n');
    await expect(openAuditLog({ sinks: [jsonlAuditSink({ path })] })).rejects.toBeInstanceOf(AuditLogError);
  });

  it('waits for every sink and fails the append when a sink fails', async () => {
    const path = tempFile();
    const seen: AuditRecord[] = [];
    const memory: AuditSink = {
      name: 'memory',
      open: async () => undefined,
      write: async (rs) => {
        seen.push(...rs);
      },
      close: async () => {},
    };
    const failing: AuditSink = {
      ...memory,
      name: 'failing',
      write: async () => Promise.reject(new Error('disk full')),
    };
    const log = await AuditLog.open({ sinks: [jsonlAuditSink({ path }), memory] });
    await log.append({
      action: 'config.change',
      target: 'l1.capacity',
      outcome: 'success',
      details: { from: 1, to: 2 },
    });
    expect(seen.map((r) => r.seq)).toEqual([1]);
    await log.close();
    const bad = await AuditLog.open({ sinks: [failing] });
    await expect(bad.append({ action: 'clear', target: 'x', outcome: 'success' })).rejects.toThrow(
      'disk full',
    );
  });
});

describe('verify classifies tampering', () => {
  it('modification: content changed without fixing the hash', async () => {
    const path = tempFile();
    await writeLog(path, 6);
    const ls = lines(path);
    ls[2] = ls[2]!.replace('"ns-2"', '"ns-X"');
    rewrite(path, ls);
    const report = verifyAuditLog(readFileSync(path, 'utf8'));
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'modification', line: 3, seq: 3 });
  });

  it('modification: content changed and the hash recomputed', async () => {
    const path = tempFile();
    await writeLog(path, 6);
    const ls = lines(path);
    const r = JSON.parse(ls[2]!) as AuditRecord;
    r.target = 'forged';
    r.hash = hashRecord(r);
    ls[2] = JSON.stringify(r);
    rewrite(path, ls);
    const report = verifyAuditLog(readFileSync(path, 'utf8'));
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'modification', line: 3, seq: 3 })]);
  });

  it('deletion: a record removed from the middle or the start', async () => {
    const path = tempFile();
    await writeLog(path, 6);
    const ls = lines(path);
    rewrite(path, [...ls.slice(0, 2), ...ls.slice(3)]);
    expect(verifyAuditLog(readFileSync(path, 'utf8')).problems).toEqual([
      expect.objectContaining({ kind: 'deletion', line: 3, seq: 4 }),
    ]);
    rewrite(path, ls.slice(1));
    expect(kinds(path)).toEqual(['deletion']);
  });

  it('insertion: a forged, self-consistent record slipped in', async () => {
    const path = tempFile();
    await writeLog(path, 6);
    const ls = lines(path);
    const before = JSON.parse(ls[2]!) as AuditRecord;
    const forged: Omit<AuditRecord, 'hash'> = {
      ...before,
      seq: before.seq + 1,
      target: 'forged',
      prev: before.hash,
    };
    const f = { ...forged, hash: hashRecord(forged) };
    rewrite(path, [...ls.slice(0, 3), JSON.stringify(f), ...ls.slice(3)]);
    expect(verifyAuditLog(readFileSync(path, 'utf8')).problems).toEqual([
      expect.objectContaining({ kind: 'insertion', line: 4 }),
    ]);
    // a copy of an existing record (replay) is an insertion too
    rewrite(path, [...ls.slice(0, 3), ls[1]!, ...ls.slice(3)]);
    expect(kinds(path)).toEqual(['insertion']);
  });

  it('reordering: all records intact, order changed', async () => {
    const path = tempFile();
    await writeLog(path, 6);
    const ls = lines(path);
    rewrite(path, [ls[0]!, ls[1]!, ls[3]!, ls[2]!, ls[4]!, ls[5]!]);
    expect(verifyAuditLog(readFileSync(path, 'utf8')).problems).toEqual([
      expect.objectContaining({ kind: 'reordering', line: 3, seq: 4 }),
    ]);
  });

  it('truncation: records cut from the end, caught by a signed checkpoint (HMAC and Ed25519)', async () => {
    const hmac = randomBytes(32);
    const path = tempFile();
    await writeLog(path, 12, hmac);
    const checkpoints = readFileSync(`${path}.checkpoints`, 'utf8');
    expect(checkpoints.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(verifyAuditLog(readFileSync(path, 'utf8'), { checkpoints, key: hmac }).ok).toBe(true);
    rewrite(path, lines(path).slice(0, 8));
    // without checkpoints a shorter chain is still a valid chain
    expect(verifyAuditLog(readFileSync(path, 'utf8')).ok).toBe(true);
    const report = verifyAuditLog(readFileSync(path, 'utf8'), { checkpoints, key: hmac });
    expect(report.problems.map((p) => p.kind)).toContain('truncation');
    // a wrong key makes the checkpoints worthless and says so
    expect(verifyAuditLog(readFileSync(path, 'utf8'), { checkpoints, key: randomBytes(32) }).ok).toBe(false);

    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const p2 = tempFile();
    const log = await openAuditLog({
      sinks: [jsonlAuditSink({ path: p2, checkpoints: { key: privateKey, everyRecords: 3 } })],
    });
    for (let i = 0; i < 7; i++)
      await log.append({ action: 'key.rotate', target: `kid-${i}`, outcome: 'success' });
    await log.close();
    const cps = readFileSync(`${p2}.checkpoints`, 'utf8');
    expect(verifyAuditLog(readFileSync(p2, 'utf8'), { checkpoints: cps, key: publicKey }).ok).toBe(true);
    rewrite(p2, lines(p2).slice(0, 5));
    expect(kinds(p2, { checkpoints: cps, key: publicKey })).toContain('truncation');
  });

  it('never reports a clean chain as broken, and always reports a single random edit (property)', async () => {
    const path = tempFile();
    await writeLog(path, 10);
    const clean = lines(path);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('edit', 'delete', 'swap', 'dup'),
        (i, op) => {
          const ls = [...clean];
          if (op === 'edit') ls[i] = ls[i]!.replace('"success"', '"failure"');
          else if (op === 'delete') ls.splice(i, 1);
          else if (op === 'swap') {
            const j = i === 9 ? 8 : i + 1;
            [ls[i], ls[j]] = [ls[j]!, ls[i]!];
          } else ls.splice(i, 0, ls[i]!);
          const text = ls.map((l) => `${l}\n`).join('');
          const report = verifyAuditLog(text);
          // deleting the last record leaves a valid shorter chain: only checkpoints can tell (tested above)
          if (op === 'delete' && i === 9) return report.ok;
          return !report.ok;
        },
      ),
    );
    expect(verifyAuditLog(clean.map((l) => `${l}\n`).join('')).ok).toBe(true);
  });
});

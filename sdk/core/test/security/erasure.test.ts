import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { ErasureIncompleteError, InvalidKeyError } from '../../src/errors.js';
import { openAuditLog } from '../../src/security/audit/audit-log.js';
import { jsonlAuditSink } from '../../src/security/audit/jsonl-sink.js';
import { verifyAuditLog } from '../../src/security/audit/verify.js';
import { FakeTier } from '../helpers/fake-tier.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const l2 = new FakeTier('redis');
  const l3 = new FakeTier('fs');
  const cache = createCache({ name: 'app', l1: { capacity: 100 }, l2, l3 });
  return { cache, l2, l3 };
}

describe('erasure by data subject', () => {
  it('removes the subject from every tier and namespace, and nothing else', async () => {
    const { cache, l2, l3 } = setup();
    const users = cache.namespace('users');
    await cache.set('a', 'alice-1', { subject: 'alice' });
    await users.set('profile', { name: 'Alice' }, { subject: 'alice', tags: ['profiles'] });
    await users.namespace('deep').set('x', 1, { subject: 'alice' });
    await users.set('bob', 'bob-1', { subject: 'bob' });
    await cache.set('shared', 'no subject');
    const result = await cache.eraseSubject('alice');
    expect(result).toEqual({ subject: 'alice', l1: 3, l2: 3, l3: 3 });
    expect(await cache.get('a')).toBeUndefined();
    expect(await users.get('profile')).toBeUndefined();
    expect(await users.namespace('deep').get('x')).toBeUndefined();
    expect(await users.get('bob')).toBe('bob-1');
    expect(await cache.get('shared')).toBe('no subject');
    const remaining = (t: FakeTier) => [...t.data.keys()].sort();
    expect(remaining(l2)).toEqual(['app::shared', 'app:users::bob']);
    expect(remaining(l3)).toEqual(['app::shared', 'app:users::bob']);
    // user tags keep working next to the subject tag
    await users.set('p2', 'x', { subject: 'carol', tags: ['profiles'] });
    expect(await users.deleteByTag('profiles')).toBe(1);
    expect(await cache.eraseSubject('nobody')).toEqual({ subject: 'nobody', l1: 0, l2: 0, l3: 0 });
  });

  it('keeps the subject through promotion from L3 (the record carries it)', async () => {
    const l3 = new FakeTier('fs');
    const writer = createCache({ name: 'app', l1: { capacity: 10 }, l3 });
    await writer.set('k', 'v', { subject: 'dana' });
    const l2 = new FakeTier('redis');
    const reader = createCache({ name: 'app', l1: { capacity: 10 }, l2, l3 });
    expect(await reader.get('k')).toBe('v'); // promoted to L1 and L2
    await new Promise((r) => setTimeout(r, 10));
    expect(l2.data.has('app::k')).toBe(true);
    expect(await reader.eraseSubject('dana')).toEqual({ subject: 'dana', l1: 1, l2: 1, l3: 1 });
    expect(l2.data.size + l3.data.size).toBe(0);
  });

  it('also removes copies promoted by a read that was in flight during the erasure', async () => {
    const l2 = new FakeTier('redis');
    const l3 = new FakeTier('fs');
    const writer = createCache({ name: 'app', l1: { capacity: 10 }, l3 });
    await writer.set('k', 'v', { subject: 'fay' });
    const cache = createCache({ name: 'app', l1: { capacity: 10 }, l2, l3 });
    l2.delayMs = 5;
    l3.delayMs = 20;
    const read = cache.get('k'); // L2 miss, then the L3 read is in flight while the erasure runs
    await new Promise((r) => setTimeout(r, 8));
    const erased = cache.eraseSubject('fay');
    expect(await read).toBe('v'); // promoted into L1 and L2 after their first pass
    await erased;
    await new Promise((r) => setTimeout(r, 30));
    expect(l2.data.size + l3.data.size).toBe(0);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('writes an audit record with the counts, and reports an unreachable tier', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicache-erasure-'));
    dirs.push(dir);
    const path = join(dir, 'audit.jsonl');
    const audit = await openAuditLog({ sinks: [jsonlAuditSink({ path })] });
    const l2 = new FakeTier('redis');
    const cache = createCache({ name: 'app', l1: { capacity: 10 }, l2, security: { audit } });
    await cache.set('k1', 1, { subject: 'erin' });
    await cache.set('k2', 2, { subject: 'erin' });
    const ok = await cache.eraseSubject('erin');
    expect(ok).toMatchObject({ l1: 2, l2: 2, auditSeq: 1 });
    await cache.set('k3', 3, { subject: 'erin' });
    l2.failWith = new Error('down');
    const err = await cache.eraseSubject('erin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErasureIncompleteError);
    expect((err as ErasureIncompleteError).failedTiers).toEqual(['l2']);
    expect((err as ErasureIncompleteError).result).toMatchObject({ l1: 1, auditSeq: 2 });
    await audit.close();
    const recs = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(recs.map((r) => [r.action, r.target, r.outcome, r.details])).toEqual([
      ['erasure', 'erin', 'success', { cache: 'app', l1: 2, l2: 2, complete: true }],
      ['erasure', 'erin', 'failure', { cache: 'app', l1: 1, complete: false, failedTiers: ['l2'] }],
    ]);
    expect(verifyAuditLog(readFileSync(path, 'utf8')).ok).toBe(true);
  });

  it('validates subjects and keeps NUL-prefixed tags reserved', async () => {
    const { cache } = setup();
    await expect(cache.set('k', 1, { subject: '' })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(cache.set('k', 1, { subject: 'x'.repeat(257) })).rejects.toThrow(/at most 256/);
    await expect(cache.set('k', 1, { tags: ['\0subject:alice'] })).rejects.toThrow(
      /reserved for data subjects/,
    );
    await expect(cache.eraseSubject(42 as unknown as string)).rejects.toBeInstanceOf(InvalidKeyError);
  });
});

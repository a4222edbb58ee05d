// eraseSubject reaches the other instances' L1 through the invalidation bus (Redis pub/sub on a real Redis): two
// caches share a Redis L2 and a bus; B reads the subject's values (so its L1 holds them), A erases the subject, and
// B's L1 is then scanned key by key: none of the subject's values are left, the other values all are. Both audit
// logs record the erasure (A with its tier counts, B with what it dropped from L1) and verify.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CONSISTENCY } from '../../sdk/core/src/cache/consistency.js';
import {
  type AuditLog,
  type Cache,
  createCache,
  jsonlAuditSink,
  openAuditLog,
  verifyAuditLog,
} from '../../sdk/core/src/index.js';
import { redisBus, redisTier } from '../../sdk/core/src/redis.js';

const redis = inject('redis');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

describe('eraseSubject across instances (Redis pub/sub bus)', () => {
  it("removes the subject's values from another instance's L1, returns the counts and audits on both", async () => {
    const run = randomBytes(4).toString('hex');
    const name = `erase-bus-${run}`;
    const dir = await mkdtemp(join(tmpdir(), 'omnicache-erase-bus-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const instance = async (id: string): Promise<{ cache: Cache; audit: AuditLog; path: string }> => {
      const path = join(dir, `${id}.jsonl`);
      const audit = await openAuditLog({ actor: id, sinks: [jsonlAuditSink({ path })] });
      const cache = createCache({
        name,
        l1: { capacity: 1000 },
        l2: redisTier({ connection: redis.url }),
        // The tier budget is also how long after a message B re-cleans L1 (its second line of defence).
        defaults: { ttl: 600_000, timeouts: { tier: 100 } },
        bus: redisBus({ connection: redis.url }),
        security: { audit },
      });
      cleanups.push(() => cache.close());
      await cache.bus!.ready;
      return { cache, audit, path };
    };
    const a = await instance('a');
    const b = await instance('b');

    const alice = `alice-${run}`;
    const bob = `bob-${run}`;
    const paths = ['', 'users', 'users:profiles'];
    const view = (c: Cache, path: string) =>
      path === '' ? c : path.split(':').reduce((v, n) => v.namespace(n), c);
    const remoteKey = (path: string, key: string) => `${name}${path === '' ? '' : `:${path}`}::${key}`;
    const keys: { path: string; key: string; subject: string | undefined }[] = [];
    for (const path of paths) {
      for (let i = 0; i < 5; i++) keys.push({ path, key: `a${i}`, subject: alice });
      keys.push({ path, key: 'b', subject: bob });
      keys.push({ path, key: 'none', subject: undefined });
    }
    for (const k of keys) {
      await view(a.cache, k.path).set(k.key, `value of ${k.subject ?? 'nobody'} ${k.key}`, {
        ...(k.subject === undefined ? {} : { subject: k.subject }),
      });
    }
    // A's writes are published too (other instances drop copies they hold): let B hear them all before it reads,
    // so that only the erasure can take values out of B's L1 below.
    const published = () => a.cache.stats().invalidation?.messages.published ?? 0;
    expect(await until(() => published() >= keys.length, 5000)).toBe(true);
    expect(
      await until(() => (b.cache.stats().invalidation?.messages.received ?? 0) >= published(), 5000),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // past B's re-clean of L1 after those messages
    // B reads everything through Redis: its L1 now holds every value.
    for (const k of keys) expect(await view(b.cache, k.path).get(k.key)).toBeDefined();
    const inL1 = (k: (typeof keys)[number]) =>
      b.cache[CONSISTENCY]().l1Version(remoteKey(k.path, k.key)) !== undefined;
    expect(keys.filter(inL1).length).toBe(keys.length);
    const aliceKeys = keys.filter((k) => k.subject === alice);

    const result = await a.cache.eraseSubject(alice);
    expect(result).toEqual({
      subject: alice,
      l1: aliceKeys.length,
      l2: aliceKeys.length,
      auditSeq: 1,
      bus: true,
    });

    // B's L1, scanned key by key: the subject's values go when the message arrives, everything else stays.
    expect(await until(() => !aliceKeys.some(inL1), 5000), 'B still holds the subject in L1').toBe(true);
    expect(keys.filter(inL1).map((k) => `${k.path}::${k.key}`)).toEqual(
      keys.filter((k) => k.subject !== alice).map((k) => `${k.path}::${k.key}`),
    );
    expect(b.cache.stats().tiers.l1.entries).toBe(keys.length - aliceKeys.length);
    // And they are gone for good: B re-reads through Redis, which A erased.
    for (const k of aliceKeys) expect(await view(b.cache, k.path).get(k.key)).toBeUndefined();
    expect(await view(b.cache, 'users').get('b')).toBe(`value of ${bob} b`);

    // Audit: A records its tier counts and the publication, B what it removed from its L1 on A's request.
    // (B's append was queued when the message was applied; close() waits for it.)
    await a.audit.close();
    await b.audit.close();
    const records = async (path: string) => {
      const text = await readFile(path, 'utf8');
      expect(verifyAuditLog(text).ok).toBe(true);
      return text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; target: string; details: unknown });
    };
    expect((await records(a.path)).map((r) => [r.action, r.target, r.details])).toEqual([
      [
        'erasure',
        alice,
        { cache: name, l1: aliceKeys.length, l2: aliceKeys.length, complete: true, bus: true },
      ],
    ]);
    expect((await records(b.path)).map((r) => [r.action, r.target, r.details])).toEqual([
      ['erasure', alice, { cache: name, l1: aliceKeys.length, via: 'bus', origin: a.cache.bus!.origin }],
    ]);
  });
});

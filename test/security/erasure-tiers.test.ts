import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import {
  type Cache,
  createCache,
  fsTier,
  jsonlAuditSink,
  openAuditLog,
  type Tier,
  verifyAuditLog,
} from '../../sdk/core/src/index.js';
import { redisClusterTier, redisTier } from '../../sdk/core/src/redis.js';

const redis = inject('redis');
const cluster = inject('redisCluster');
const gcs = inject('gcs');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Every byte string a tier holds: [where, bytes] (key or object name, value). */
type Scan = () => Promise<[string, Buffer][]>;

async function scanRedisNode(node: Redis): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  let cursor = '0';
  do {
    const [next, keys] = await node.scanBuffer(cursor, 'COUNT', 1000);
    cursor = next.toString();
    for (const k of keys) {
      const type = await node.type(k);
      if (type === 'string') out.push([k.toString(), (await node.getBuffer(k)) ?? Buffer.alloc(0)]);
      else if (type === 'set') out.push([k.toString(), Buffer.from((await node.smembers(k)).join('\n'))]);
      else out.push([k.toString(), Buffer.alloc(0)]);
    }
  } while (cursor !== '0');
  return out;
}

async function scanDir(dir: string): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.push([p, await readFile(p)]);
  }
  return out;
}

interface Setup {
  name: string;
  make: () => Promise<{ l2: Tier; l3: Tier; scans: Record<'l2' | 'l3', Scan> }>;
}

const setups: Setup[] = [
  {
    name: 'L1 + Redis + GCS',
    make: async () => {
      const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });
      const bucket = `omnicache-erasure-${randomBytes(4).toString('hex')}`;
      await storage.createBucket(bucket);
      const client = new Redis(redis.url);
      cleanups.push(() => client.quit());
      return {
        l2: redisTier({ connection: redis.url }),
        l3: gcsTier({ bucket, storage }),
        scans: {
          l2: () => scanRedisNode(client),
          l3: async () => {
            const [files] = await storage.bucket(bucket).getFiles();
            return Promise.all(files.map(async (f) => [f.name, (await f.download())[0]] as [string, Buffer]));
          },
        },
      };
    },
  },
  {
    name: 'L1 + Redis Cluster + fs',
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'omnicache-erasure-fs-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const client = new Cluster(cluster.startupNodes);
      cleanups.push(() => client.quit());
      return {
        l2: redisClusterTier({ nodes: cluster.startupNodes }),
        l3: fsTier(dir),
        scans: {
          l2: async () => (await Promise.all(client.nodes('master').map((n) => scanRedisNode(n)))).flat(),
          l3: () => scanDir(dir),
        },
      };
    },
  },
];

describe.each(setups)('eraseSubject on real tiers: $name', ({ name: setupName, make }) => {
  const scansAreGcs = setupName.includes('GCS');
  it('leaves no value, key or index entry of the subject in any tier, and only those', async () => {
    const { l2, l3, scans } = await make();
    const run = randomBytes(4).toString('hex');
    const name = `erase-${run}`;
    const auditDir = await mkdtemp(join(tmpdir(), 'omnicache-erasure-audit-'));
    cleanups.push(() => rm(auditDir, { recursive: true, force: true }));
    const auditPath = join(auditDir, 'audit.jsonl');
    const audit = await openAuditLog({ sinks: [jsonlAuditSink({ path: auditPath })] });
    const cache: Cache = createCache({ name, l1: { capacity: 1000 }, l2, l3, security: { audit } });
    cleanups.push(() => cache.close());
    const alice = `alice-${run}`;
    const bob = `bob-${run}`;
    const secret = (who: string, i: number) => `SECRET-${who}-${i}`;
    const spaces = [cache, cache.namespace('users'), cache.namespace('users').namespace('profiles')];
    let n = 0;
    for (const ns of spaces) {
      for (let i = 0; i < 7; i++, n++)
        await ns.set(`item-${i}`, { data: secret(alice, n) }, { subject: alice, tags: ['t'] });
      await ns.setMany([{ key: 'many', value: secret(alice, n++), subject: alice }]);
      await ns.set('bob', secret(bob, n), { subject: bob });
      await ns.set('none', secret('nobody', n));
    }
    const aliceCount = spaces.length * 8;
    const all = async () => {
      const out: Record<string, [string, Buffer][]> = {};
      for (const t of ['l2', 'l3'] as const) out[t] = await scans[t]();
      return out;
    };
    const holding = (entries: [string, Buffer][], needle: string) =>
      entries.filter(([k, v]) => k.includes(needle) || v.includes(needle)).map(([k]) => k);

    // Before: the scans do see the values (so an empty result afterwards means something).
    const before = await all();
    for (const t of ['l2', 'l3'] as const) {
      expect(holding(before[t]!, `SECRET-${alice}`).length, t).toBeGreaterThanOrEqual(aliceCount);
    }
    // The subject index: Redis tag set / GCS marker objects name the subject; fs markers are named by its SHA-256.
    const subjectTag = `${name}:#subject::${alice}`;
    const indexName = (t: 'l2' | 'l3') =>
      t === 'l3' && !scansAreGcs ? `/t/${createHash('sha256').update(subjectTag).digest('hex')}/` : alice;
    const indexEntries = (entries: [string, Buffer][], t: 'l2' | 'l3') =>
      entries.filter(
        ([k, v]) => k.includes(indexName(t)) && (t === 'l3' && !scansAreGcs ? true : !v.includes('SECRET')),
      );
    for (const t of ['l2', 'l3'] as const)
      expect(indexEntries(before[t]!, t).length, `${t} subject index`).toBeGreaterThan(0);

    const result = await cache.eraseSubject(alice);
    expect(result).toEqual({ subject: alice, l1: aliceCount, l2: aliceCount, l3: aliceCount, auditSeq: 1 });

    const after = await all();
    for (const t of ['l2', 'l3'] as const) {
      expect(holding(after[t]!, alice), `${t} still holds data of the erased subject`).toEqual([]);
      expect(indexEntries(after[t]!, t), `${t} still holds the subject index`).toEqual([]);
      expect(holding(after[t]!, `SECRET-${bob}`).length, `${t} lost another subject's data`).toBe(
        spaces.length,
      );
      expect(holding(after[t]!, 'SECRET-nobody').length, `${t} lost data without a subject`).toBe(
        spaces.length,
      );
    }
    for (const ns of spaces) {
      for (let i = 0; i < 7; i++) expect(await ns.get(`item-${i}`)).toBeUndefined();
      expect(await ns.get('many')).toBeUndefined();
      expect(String(await ns.get('bob'))).toMatch(new RegExp(`^SECRET-${bob}-`));
      expect(String(await ns.get('none'))).toMatch(/^SECRET-nobody-/);
    }
    // Erasing again finds nothing; the audit trail has both, chained.
    expect(await cache.eraseSubject(alice)).toEqual({ subject: alice, l1: 0, l2: 0, l3: 0, auditSeq: 2 });
    await audit.close();
    const text = await readFile(auditPath, 'utf8');
    expect(verifyAuditLog(text).ok).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).details),
    ).toEqual([
      { cache: name, l1: aliceCount, l2: aliceCount, l3: aliceCount, complete: true },
      { cache: name, l1: 0, l2: 0, l3: 0, complete: true },
    ]);
  });
});

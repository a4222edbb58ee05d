// Key rotation on real tiers: rotateKeys (core) over Redis Cluster + GCS with an interruption and a resume, and
// the `omnicache keys rotate` / `keys retire` commands over Redis + fs from a configuration file.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import {
  Codec,
  createCache,
  Encryptor,
  type LocalKey,
  loadCacheConfig,
  localKeyRing,
  type RotationState,
  rotateKeys,
  type Tier,
} from '../../sdk/core/src/index.js';
import { redisClusterTier } from '../../sdk/core/src/redis.js';

const redis = inject('redis');
const cluster = inject('redisCluster');
const gcs = inject('gcs');
const dir = mkdtempSync(join(tmpdir(), 'omnicache-rotate-'));
const closers: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});
const cli = fileURLToPath(new URL('../../sdk/cli/dist/main.js', import.meta.url));
const runCli = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const key = (id: string): LocalKey => ({ id, key: randomBytes(32).toString('base64') as string });

async function keyIdsIn(tier: Tier, cache: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await tier.keys!(`${cache}:`, cursor, 100);
    for (const v of await tier.getMany(page.keys)) {
      if (!v) continue;
      const b = Buffer.from(v);
      const id = b.subarray(5, 5 + b[4]!).toString();
      out[id] = (out[id] ?? 0) + 1;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

describe('rotateKeys on Redis Cluster + GCS', () => {
  it('re-encrypts under the newest key, resumes after an interruption, keeps tags and values', async () => {
    const name = `rot-${randomBytes(3).toString('hex')}`;
    const a = key('a');
    const b = key('b');
    const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });
    const bucket = `omnicache-rot-${randomBytes(4).toString('hex')}`;
    await storage.createBucket(bucket);
    const l2 = redisClusterTier({ nodes: cluster.startupNodes });
    const l3 = gcsTier({ bucket, storage });
    const mk = (keys: LocalKey[]) => {
      const c = createCache({
        name,
        l1: { capacity: 1 },
        l2,
        l3,
        encryption: { provider: localKeyRing({ keys }) },
      });
      return c;
    };
    const before = mk([a]);
    for (let i = 0; i < 60; i++)
      await before.namespace(i % 2 ? 'n1' : 'n2').set(`k${i}`, { i }, { tags: [`t${i % 3}`] });
    expect(await keyIdsIn(l2, name)).toEqual({ a: 60 });

    const encryptor = new Encryptor(name, { provider: localKeyRing({ keys: [a, b] }) });
    const codec = new Codec({ compressThreshold: false, encryptor });
    const checkpoints: RotationState[] = [];
    const ac = new AbortController();
    const run = { cache: name, tiers: [l2, l3], codec, encryptor, batchSize: 20, ratePerSecond: 10_000 };
    const first = await rotateKeys({
      ...run,
      signal: ac.signal,
      onCheckpoint: (s) => {
        checkpoints.push(s);
        if (checkpoints.length === 2) ac.abort();
      },
    });
    expect(first.done).toBe(false);
    expect(first.rotated).toBeGreaterThan(0);
    const resumed = await rotateKeys({ ...run, resume: checkpoints.at(-1)! });
    expect(resumed.done).toBe(true);
    expect(resumed.rotated).toBe(120);
    expect(resumed.failed).toBe(0);
    expect(await keyIdsIn(l2, name)).toEqual({ b: 60 });
    expect(await keyIdsIn(l3, name)).toEqual({ b: 60 });
    // readable with only the new key; tags still work
    const after = mk([b]);
    expect(await after.namespace('n1').get('k1')).toEqual({ i: 1 });
    expect(await after.namespace('n2').deleteByTag('t0')).toBeGreaterThan(0);
    expect(await after.namespace('n2').get('k0')).toBeUndefined();
    expect(await after.namespace('n2').get('k2')).toEqual({ i: 2 });
    await after.close();
  });
});

describe('omnicache keys rotate / retire (built CLI, Redis + fs)', () => {
  it('refuses to retire a key while values remain, rotates rate-limited, then retires', async () => {
    const name = `rotcli-${randomBytes(3).toString('hex')}`;
    const keyFile = join(dir, `${name}-keys.json`);
    const a = key('a');
    writeFileSync(keyFile, JSON.stringify([a]), { mode: 0o600 });
    const config = join(dir, `${name}.yaml`);
    writeFileSync(
      config,
      [
        `name: ${name}`,
        'l1: { capacity: 10 }',
        `l2: { redis: { url: "${redis.url}" } }`,
        `l3: { fs: { dir: ${JSON.stringify(join(dir, `${name}-data`))} } }`,
        `encryption: { local: { keyFile: ${JSON.stringify(keyFile)} } }`,
      ].join('\n'),
    );
    const writer = createCache(await loadCacheConfig({ file: config, env: false }));
    for (let i = 0; i < 100; i++) await writer.set(`k${i}`, `value ${i}`);
    await writer.close();
    writeFileSync(keyFile, JSON.stringify([a, key('b')]), { mode: 0o600 });

    const refused = runCli(['keys', 'retire', 'a', '--config', config, '--json']);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ keyId: 'a', remaining: 200, retired: false });

    const state = join(dir, `${name}-state.json`);
    const t0 = Date.now();
    const rotated = runCli([
      'keys',
      'rotate',
      '--config',
      config,
      '--rate',
      '200',
      '--batch',
      '50',
      '--state',
      state,
      '--json',
    ]);
    const seconds = (Date.now() - t0) / 1000;
    expect(rotated.stderr).not.toMatch(/Error/);
    expect(rotated.status).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({
      currentKeyId: 'b',
      done: true,
      scanned: 200,
      rotated: 200,
      failed: 0,
    });
    expect(seconds).toBeGreaterThan(0.7); // 200 values at 200/s: the last page is not waited for
    expect(existsSync(state)).toBe(false);

    const retired = runCli(['keys', 'retire', 'a', '--config', config, '--json']);
    expect(retired.status).toBe(0);
    expect(JSON.parse(retired.stdout)).toMatchObject({ remaining: 0, retired: true });
    expect((JSON.parse(readFileSync(keyFile, 'utf8')) as LocalKey[]).map((k) => k.id)).toEqual(['b']);
    const reader = createCache(await loadCacheConfig({ file: config, env: false }));
    closers.push(() => reader.close());
    expect(await reader.get('k42')).toBe('value 42');
  });
});

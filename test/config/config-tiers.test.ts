import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Cache, createCache, loadCacheConfig } from '../../sdk/core/src/index.js';

// Tiers named in a file or the environment are built through their subpath entry points against real servers.
const redis = inject('redis');
const cluster = inject('redisCluster');
const gcs = inject('gcs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnicache-config-tiers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function roundTrip(make: () => Promise<Cache>): Promise<void> {
  const writer = await make();
  const reader = await make();
  try {
    const key = `k-${randomBytes(4).toString('hex')}`;
    await writer.set(key, { from: 'writer' });
    expect(await reader.get(key)).toEqual({ from: 'writer' }); // not in reader's L1: served by the remote tier
    const tiers = reader.stats().tiers;
    expect(tiers.l1.hits).toBe(0);
    expect((tiers.l2 ?? tiers.l3)?.hits).toBe(1);
  } finally {
    await writer.close();
    await reader.close();
  }
}

describe('loadCacheConfig with vendor tiers', () => {
  it('l2 redis from a YAML file', async () => {
    const file = join(dir, 'redis.yaml');
    await writeFile(
      file,
      `name: cfg-redis\nl1: { capacity: 10 }\nl2:\n  redis: { url: "${redis.url}", keyPrefix: "cfg|" }\n`,
    );
    await roundTrip(async () => createCache(await loadCacheConfig({ file, env: {} })));
  });

  it('l2 redisCluster from the environment alone (host:port list)', async () => {
    const env = {
      OMNICACHE_NAME: 'cfg-cluster',
      OMNICACHE_L1_CAPACITY: '10',
      OMNICACHE_L2_REDIS_CLUSTER_NODES: cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(','),
      OMNICACHE_L2_REDIS_CLUSTER_COMMAND_TIMEOUT_MS: '2000',
    };
    await roundTrip(async () => createCache(await loadCacheConfig({ env })));
  });

  it('l3 gcs from JSON with the endpoint from the environment', async () => {
    const bucket = `omnicache-cfg-${randomBytes(4).toString('hex')}`;
    await new Storage({ ...gcs, retryOptions: { autoRetry: false } }).createBucket(bucket);
    const file = join(dir, 'gcs.json');
    await writeFile(
      file,
      JSON.stringify({ name: 'cfg-gcs', l1: { capacity: 10 }, l3: { gcs: { bucket, prefix: 'c/' } } }),
    );
    const env = {
      OMNICACHE_L3_GCS_API_ENDPOINT: gcs.apiEndpoint,
      OMNICACHE_L3_GCS_PROJECT_ID: gcs.projectId,
    };
    await roundTrip(async () => createCache(await loadCacheConfig({ file, env })));
  });
});

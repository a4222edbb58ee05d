import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { inject } from 'vitest';
import { awsKmsKeyProvider } from '../../sdk/core/src/aws-kms.js';
import { gcsTier } from '../../sdk/core/src/gcs.js';
import { fsTier, localKeyRing } from '../../sdk/core/src/index.js';
import { redisClusterTier, redisTier } from '../../sdk/core/src/redis.js';
import { describeCacheBehaviour } from './cache-behaviour.js';

const redis = inject('redis');
const cluster = inject('redisCluster');
const gcs = inject('gcs');
const kms = inject('kms');

describeCacheBehaviour('L1 only', async () => ({}));

describeCacheBehaviour('L1 + Redis', async () => ({ l2: redisTier({ connection: redis.url }) }));

describeCacheBehaviour('L1 + Redis Cluster', async () => ({
  l2: redisClusterTier({ nodes: cluster.startupNodes }),
}));

describeCacheBehaviour('L1 + Redis + GCS', async () => {
  const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });
  const bucket = `omnicache-cache-${randomBytes(4).toString('hex')}`;
  await storage.createBucket(bucket);
  return { l2: redisTier({ connection: redis.url }), l3: gcsTier({ bucket, storage }) };
});

describeCacheBehaviour('L1 + fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-fs-'));
  return { l3: fsTier(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describeCacheBehaviour('L1 + Redis + GCS, encrypted (data keys from local-kms)', async () => {
  const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId });
  const bucket = `omnicache-cache-${randomBytes(4).toString('hex')}`;
  await storage.createBucket(bucket);
  const provider = awsKmsKeyProvider({
    keyIds: [kms.keyArns[0]!],
    clientConfig: {
      endpoint: kms.endpoint,
      region: kms.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    },
  });
  return {
    l2: redisTier({ connection: redis.url }),
    l3: gcsTier({ bucket, storage }),
    config: { encryption: { provider } },
    cleanup: async () => provider.close(),
  };
});

describeCacheBehaviour('L1 + Redis Cluster + fs, encrypted (local key ring)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-fs-'));
  return {
    l2: redisClusterTier({ nodes: cluster.startupNodes }),
    l3: fsTier(dir),
    config: { encryption: { provider: localKeyRing({ keys: [{ id: 'k1', key: randomBytes(32) }] }) } },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

import { Storage } from '@google-cloud/storage';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';

describe('the shared services from globalSetup', () => {
  it('provides a single Redis', async () => {
    const { host, port, url } = inject('redis');
    expect(url).toBe(`redis://${host}:${port}`);
    const client = new Redis(port, host);
    try {
      await client.set('shared:k', 'v');
      expect(await client.get('shared:k')).toBe('v');
      await client.del('shared:k');
    } finally {
      client.disconnect();
    }
  });

  it('provides a Redis Cluster', async () => {
    const { startupNodes } = inject('redisCluster');
    expect(startupNodes).toHaveLength(6);
    const client = new Cluster(startupNodes);
    try {
      await client.set('{shared}:a', '1');
      await client.set('{shared}:b', '2');
      expect(await client.mget('{shared}:a', '{shared}:b')).toEqual(['1', '2']);
      await client.del('{shared}:a', '{shared}:b');
    } finally {
      client.disconnect();
    }
  });

  it('provides fake-gcs-server', async () => {
    const { apiEndpoint, projectId } = inject('gcs');
    const storage = new Storage({ apiEndpoint, projectId });
    const [bucket] = await storage.createBucket(`shared-${Date.now()}`);
    await bucket.file('x').save('y');
    const [content] = await bucket.file('x').download();
    expect(content.toString()).toBe('y');
  });
});

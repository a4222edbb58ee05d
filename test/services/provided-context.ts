// What the `test` project's globalSetup hands to every test file through vitest's provide/inject:
// `inject('redis')`, `inject('redisCluster')`, `inject('gcs')`, `inject('kms')`.
import type {} from 'vitest';
import type { RedisEndpoint } from './redis.js';

export interface SharedRedis extends RedisEndpoint {
  /** redis://127.0.0.1:PORT */
  url: string;
}

export interface SharedRedisCluster {
  /** For `new Cluster(startupNodes)`: every node of the 6-node cluster. */
  startupNodes: RedisEndpoint[];
}

export interface SharedGcs {
  /** For `new Storage({ apiEndpoint, projectId })`. */
  apiEndpoint: string;
  projectId: string;
}

export interface SharedKms {
  /** http://127.0.0.1:PORT: `new KMSClient({ endpoint, region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })`. */
  endpoint: string;
  region: string;
  /** ARNs of the seeded AES keys (DEFAULT_LOCAL_KMS_KEYS order). */
  keyArns: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    redis: SharedRedis;
    redisCluster: SharedRedisCluster;
    gcs: SharedGcs;
    kms: SharedKms;
  }
}

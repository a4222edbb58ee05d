/** The ioredis runtime for omnicache/redis, loaded as an optional peer (types come from `import type`). */
import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import { importPeers } from '../../vendor/peer.js';

const [ioredis] = await importPeers<[typeof IORedis]>(['ioredis'], 'omnicache/redis');
export const Redis = ioredis.Redis;
export const Cluster = ioredis.Cluster;

// cluster-key-slot is a dependency of ioredis: resolve it from there, so it needs no install of its own.
const fromIoredis = createRequire(createRequire(import.meta.url).resolve('ioredis'));
export const calculateSlot = fromIoredis('cluster-key-slot') as (key: string) => number;

import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { redisTier } from '../../sdk/core/src/tiers/redis/index.js';
import { describeTierBehaviour, REDIS_TRAITS } from './tier-behaviour.js';

const redis = inject('redis');

describeTierBehaviour(
  'redis (tier-owned connection)',
  async () => ({ tier: redisTier({ connection: redis.url }) }),
  REDIS_TRAITS,
);

describeTierBehaviour(
  'redis (caller-owned client, key prefix)',
  async () => {
    const client = new Redis(redis.port, redis.host);
    return {
      tier: redisTier({ client, keyPrefix: 'app1|' }),
      cleanup: async () => {
        await client.quit();
      },
    };
  },
  REDIS_TRAITS,
);

import { randomBytes } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { inject } from 'vitest';
import { gcsTier } from '../../sdk/core/src/tiers/gcs/index.js';
import { describeTierBehaviour } from './tier-behaviour.js';

const gcs = inject('gcs');

describeTierBehaviour('gcs (fake-gcs-server)', async () => {
  const storage = new Storage({ ...gcs, retryOptions: { autoRetry: false } });
  const bucket = `omnicache-${randomBytes(4).toString('hex')}`;
  await storage.createBucket(bucket);
  return { tier: gcsTier({ bucket, storage, prefix: 'cache/', concurrency: 32 }) };
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsTier } from '../../sdk/core/src/tiers/fs/index.js';
import { describeTierBehaviour } from './tier-behaviour.js';

describeTierBehaviour('fs (local directory)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omnicache-fs-'));
  return {
    tier: fsTier(dir, { maxBytes: 256 * 1024 * 1024 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

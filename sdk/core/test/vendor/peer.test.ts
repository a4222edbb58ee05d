import { describe, expect, it } from 'vitest';
import { MissingPeerDependencyError } from '../../src/errors.js';
import { importPeers, requirePeer } from '../../src/vendor/peer.js';

describe('optional peers', () => {
  it('names the package to install, also for a subpath specifier', async () => {
    const err = await importPeers(
      ['omnicache-no-such-peer/max', '@omnicache-no/such-peer/sub'],
      'omnicache/x',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPeerDependencyError);
    expect((err as MissingPeerDependencyError).packages).toEqual([
      'omnicache-no-such-peer',
      '@omnicache-no/such-peer',
    ]);
    expect((err as Error).message).toContain('npm install omnicache-no-such-peer @omnicache-no/such-peer');
    expect(() => requirePeer('omnicache-no-such-peer/max', 'omnicache/y')).toThrow(
      /npm install omnicache-no-such-peer`/,
    );
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsKmsKeyProvider } from '../../src/aws-kms.js';
import { createCache, loadCacheConfig } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'omnicache-enc-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('encryption from a configuration file', () => {
  it('local key file: values in the fs tier are sealed', async () => {
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify([{ id: 'k1', key: randomBytes(32).toString('base64') }]), {
      mode: 0o600,
    });
    const data = join(dir, 'data');
    const file = join(dir, 'omnicache.yaml');
    writeFileSync(
      file,
      `name: app\nl1: { capacity: 10 }\nl3: { fs: { dir: ${JSON.stringify(data)} } }\nencryption:\n  local: { keyFile: ${JSON.stringify(keyFile)} }\n  rotationDays: 30\n`,
    );
    const config = await loadCacheConfig({ file, env: false });
    expect(config.encryption?.provider.name).toBe('local');
    const cache = createCache(config);
    await cache.set('k', 'plaintext-marker-123');
    const files = readdirSync(data, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(readFileSync(join(f.parentPath, f.name)).includes('plaintext-marker-123')).toBe(false);
    expect(await createCache(await loadCacheConfig({ file, env: false })).get('k')).toBe(
      'plaintext-marker-123',
    );
    // a second key in the ring, the first kept current until every instance has the ring
    const first = (JSON.parse(readFileSync(keyFile, 'utf8')) as { key: string }[])[0]!.key;
    const ring = [
      { id: 'k1', key: first },
      { id: 'k2', key: randomBytes(32).toString('base64') },
    ];
    writeFileSync(keyFile, JSON.stringify(ring), { mode: 0o600 });
    const pinned = join(dir, 'pinned.yaml');
    writeFileSync(pinned, readFileSync(file, 'utf8').replace('local: {', 'local: { currentKeyId: k1,'));
    expect((await loadCacheConfig({ file: pinned, env: false })).encryption?.provider.currentKeyId()).toBe(
      'k1',
    );
    expect((await loadCacheConfig({ file, env: false })).encryption?.provider.currentKeyId()).toBe('k2');
  });

  it('AWS KMS keys build the omnicache/aws-kms provider; one key source only', async () => {
    const file = join(dir, 'kms.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'app',
        l1: { capacity: 10 },
        encryption: { awsKms: { keyIds: ['alias/a', 'alias/b'], region: 'eu-west-2' } },
      }),
    );
    const config = await loadCacheConfig({ file, env: false });
    expect(config.encryption?.provider).toBeInstanceOf(AwsKmsKeyProvider);
    expect(config.encryption?.provider.currentKeyId()).toBe('alias/b');
    (config.encryption!.provider as AwsKmsKeyProvider).close();
    writeFileSync(
      file,
      JSON.stringify({ name: 'app', l1: { capacity: 10 }, encryption: { rotationDays: 3 } }),
    );
    await expect(loadCacheConfig({ file, env: false })).rejects.toThrow(/encryption/);
  });
});

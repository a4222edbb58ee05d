import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileConfigSchema } from '../../src/config/file-schema.js';
import { docKey, FIELD_DOCS, renderConfigDoc } from '../../src/config/reference-doc.js';
import { configFields } from '../../src/config/schema-fields.js';
import { ConfigError, createCache, FsTier, loadCacheConfig } from '../../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnicache-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('loadCacheConfig', () => {
  it('reads YAML, builds the named fs tier, and createCache takes the result', async () => {
    const file = await write(
      'omnicache.yaml',
      `name: orders\nl1: { capacity: 100, policy: lru }\nl3: { fs: { dir: ${join(dir, 'l3')} }, timeoutMs: 250 }\ndefaults: { ttl: 60000 }\n`,
    );
    const config = await loadCacheConfig({ file, env: {} });
    expect(config.l3).toMatchObject({ timeoutMs: 250 });
    expect((config.l3 as { tier: unknown }).tier).toBeInstanceOf(FsTier);
    const cache = createCache(config);
    await cache.set('a', { n: 1 });
    const other = createCache(await loadCacheConfig({ file, env: {} }));
    expect(await other.get('a')).toEqual({ n: 1 }); // through the shared directory, not L1
    await cache.close();
    await other.close();
  });

  it('reads JSON and applies OMNICACHE_* over it (env > defaults > file)', async () => {
    const file = await write(
      'c.json',
      JSON.stringify({ name: 'a', l1: { capacity: 10 }, defaults: { ttl: 1000 } }),
    );
    const config = await loadCacheConfig({
      file,
      defaults: { maxKeyLength: 64, defaults: { ttl: 2000, sliding: true } },
      env: {
        OMNICACHE_L1_CAPACITY: '500',
        OMNICACHE_DEFAULTS_TIMEOUTS_SOFT: '25',
        OMNICACHE_CODEC_COMPRESS_THRESHOLD: 'false',
        OMNICACHE_L1_DEMOTE_ON_EVICT: '1',
        OMNICACHE_OTLP_HTTP_ENDPOINT: '127.0.0.1:4318', // not a config field: ignored
      },
    });
    expect(config.l1).toMatchObject({ capacity: 500, demoteOnEvict: true });
    expect(config.defaults).toMatchObject({ ttl: 2000, sliding: true, timeouts: { soft: 25 } });
    expect(config.maxKeyLength).toBe(64);
    expect(config.codec).toMatchObject({ compressThreshold: false });
  });

  it('finds the file through OMNICACHE_CONFIG and builds tiers from the environment alone', async () => {
    const file = await write('c.yml', 'name: envy\nl1:\n  capacity: 5\n');
    const config = await loadCacheConfig({
      env: {
        OMNICACHE_CONFIG: file,
        OMNICACHE_L2_FS_DIR: join(dir, 'l2'),
        OMNICACHE_L2_FS_MAX_BYTES: '100000',
      },
    });
    expect(config.name).toBe('envy');
    expect((config.l2 as { tier: FsTier }).tier.dir).toBe(join(dir, 'l2'));
  });

  it('a bad file names the file and every bad field; an env value names its variable', async () => {
    const file = await write('bad.yaml', 'name: "no spaces allowed"\nl1: { capacity: -1, polcy: arc }\n');
    const err = await loadCacheConfig({ file, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(`in ${file}`);
    expect(msg).toMatch(/name: must be 1-64 characters/);
    expect(msg).toMatch(/l1\.capacity: Too small/);
    expect(msg).toMatch(/l1: Unrecognized key: "polcy"/);

    const ok = await write('ok.yaml', 'name: a\nl1: { capacity: 1 }\n');
    await expect(loadCacheConfig({ file: ok, env: { OMNICACHE_DEFAULTS_TTL: 'soon' } })).rejects.toThrow(
      /OMNICACHE_DEFAULTS_TTL="soon": must be a number/,
    );
    await expect(loadCacheConfig({ file: ok, env: { OMNICACHE_L1_CAPACITY: '0' } })).rejects.toThrow(
      /l1\.capacity \(from OMNICACHE_L1_CAPACITY\): Too small/,
    );
    await expect(loadCacheConfig({ file: ok, env: { OMNICACHE_L1_POLICY: 'lfu' } })).rejects.toThrow(
      /l1\.policy \(from OMNICACHE_L1_POLICY\): Invalid option/,
    );
  });

  it('a tier must name exactly one kind, and malformed files say what they are not', async () => {
    const two = await write(
      'two.yaml',
      `name: a\nl1: { capacity: 1 }\nl2: { fs: { dir: x }, redis: { url: redis://h } }\n`,
    );
    await expect(loadCacheConfig({ file: two, env: {} })).rejects.toThrow(
      /invalid cache config in .*two\.yaml: l2/,
    );
    const syntax = await write('syntax.yaml', 'name: [unclosed\n');
    await expect(loadCacheConfig({ file: syntax, env: {} })).rejects.toThrow(
      /syntax\.yaml is not valid YAML/,
    );
    const list = await write('list.json', '[1,2]');
    await expect(loadCacheConfig({ file: list, env: {} })).rejects.toThrow(/must hold an object.*not a list/);
    await expect(loadCacheConfig({ file: join(dir, 'missing.yaml'), env: {} })).rejects.toThrow(
      /cannot read cache config file .*missing\.yaml/,
    );
  });
});

describe('docs/configuration.md', () => {
  it('documents every field of the schema', () => {
    const undocumented = configFields(cacheFileConfigSchema)
      .map((f) => docKey(f.path))
      .filter((k) => !FIELD_DOCS[k]);
    expect(undocumented).toEqual([]);
  });

  it('is up to date with the schema', async () => {
    const current = await readFile(
      fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
      'utf8',
    );
    expect(
      current === renderConfigDoc(),
      'docs/configuration.md is stale: run `node scripts/pnpm.mjs --filter omnicache run docs:config`',
    ).toBe(true);
  });
});

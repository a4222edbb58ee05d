import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCache, fsTier } from 'omnicache';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

describe('omnicache inspect (built CLI) against a real fs L3', () => {
  it('reports the tier holding the key, size, windows, tags and encryption; exit 1 when absent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicache-inspect-'));
    const file = join(dir, 'omnicache.yaml');
    writeFileSync(
      file,
      `name: shop\nl1: { capacity: 10 }\nl3: { fs: { dir: ${JSON.stringify(join(dir, 'l3'))} } }\n`,
    );
    const cache = createCache({ name: 'shop', l1: { capacity: 10 }, l3: fsTier(join(dir, 'l3')) });
    const before = Date.now();
    await cache.set(
      'product:1',
      { name: 'lamp', price: 12 },
      { ttl: 60_000, grace: 30_000, tags: ['products'] },
    );
    await cache.namespace('eu').set('product:1', 'eu lamp', { ttl: 45_000 });
    await cache.close();

    const r = runCli(['inspect', 'product:1', '--config', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      cache: 'shop',
      namespace: '',
      key: 'product:1',
      storedKey: 'shop::product:1',
    });
    const [l3] = report.tiers;
    expect(l3).toMatchObject({
      tier: 'l3',
      kind: 'fs',
      found: true,
      compression: 'none',
      state: 'fresh',
      ttlMs: 60_000,
      tags: ['products'],
    });
    expect(l3.bytes).toBeGreaterThan(10);
    expect(l3.encryptionKeyId).toBeUndefined();
    expect(Date.parse(l3.freshUntil) - before).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(l3.staleUntil) - Date.parse(l3.freshUntil)).toBe(30_000);

    const ns = JSON.parse(
      runCli(['inspect', 'product:1', '--config', file, '--namespace', 'eu', '--json']).stdout,
    );
    expect(ns.storedKey).toBe('shop:eu::product:1');
    expect(ns.tiers[0].ttlMs).toBe(45_000);

    const text = runCli(['inspect', 'product:1', '--config', file]);
    expect(text.stdout).toMatch(/l3 \(fs\): fresh, \d+ bytes, compression none, not encrypted/);
    expect(text.stdout).toContain('tags: products');
    expect(text.stdout).toContain('l1: in-process memory');

    const absent = runCli(['inspect', 'product:2', '--config', file]);
    expect(absent.status).toBe(1);
    expect(absent.stdout).toContain('l3 (fs): not present');
    const noFile = runCli(['inspect', 'x', '--config', join(dir, 'missing.yaml')]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/omnicache: /);
  });
});

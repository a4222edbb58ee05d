import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { encodeEntry } from '../../src/tiers/fs/entry-file.js';
import { FsTier, fsTier } from '../../src/tiers/fs/index.js';
import { transpileForChild } from './support/transpile-for-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);
const hash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const pathOf = (dir: string, key: string) => join(dir, 'v', hash(key).slice(0, 2), hash(key));
const MINUTE = 60_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnicache-fs-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fsTier basics', () => {
  it('rejects a bad configuration with ConfigError', () => {
    expect(() => fsTier('')).toThrow(ConfigError);
    expect(() => fsTier(dir, { maxBytes: 0 })).toThrow(ConfigError);
  });

  it('stores one file per key, named by the key hash, and leaves no temp files', async () => {
    const tier = fsTier(dir);
    await tier.set('a', bytes('1'), { ttlMs: MINUTE });
    await tier.set('b', bytes('2'), { ttlMs: MINUTE });
    expect((await stat(pathOf(dir, 'a'))).isFile()).toBe(true);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(text(await tier.get('a'))).toBe('1');
  });

  it('expires entries after their TTL and removes the file lazily', async () => {
    const tier = fsTier(dir);
    await tier.set('short', bytes('s'), { ttlMs: 40 });
    await tier.set('forever', bytes('f'), { ttlMs: Number.POSITIVE_INFINITY });
    expect(text(await tier.get('short'))).toBe('s');
    await sleep(80);
    expect(await tier.get('short')).toBeUndefined();
    await expect(stat(pathOf(dir, 'short'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(text(await tier.get('forever'))).toBe('f');
  });

  it('closes: later calls fail with a TierError', async () => {
    const tier = fsTier(dir);
    await tier.close();
    await expect(tier.get('x')).rejects.toMatchObject({ code: 'OMNICACHE_TIER' });
  });
});

describe('fsTier tags', () => {
  it('deleteByTag removes tagged keys only, and not keys re-written without the tag', async () => {
    const tier = fsTier(dir);
    await tier.setMany([
      { key: 'a', value: bytes('a'), ttlMs: MINUTE, tags: ['t1'] },
      { key: 'b', value: bytes('b'), ttlMs: MINUTE, tags: ['t1', 't2'] },
      { key: 'c', value: bytes('c'), ttlMs: MINUTE, tags: ['t2'] },
    ]);
    await tier.set('a', bytes('a2'), { ttlMs: MINUTE }); // no longer tagged t1
    expect(await tier.deleteByTag('t1')).toBe(1);
    expect(text(await tier.get('a'))).toBe('a2');
    expect(await tier.get('b')).toBeUndefined();
    expect(text(await tier.get('c'))).toBe('c');
    expect(await tier.deleteByTag('t1')).toBe(0);
    expect(await tier.deleteByTag('unknown')).toBe(0);
  });
});

describe('fsTier clear(prefix)', () => {
  it('removes keys under the prefix, including keys written by another process', async () => {
    const mine = fsTier(dir);
    const other = fsTier(dir); // a second instance stands in for another process sharing the directory
    await mine.set('ns1:a', bytes('1'), { ttlMs: MINUTE });
    await mine.clear('nothing:'); // builds the index before the other instance writes
    await other.setMany([
      { key: 'ns1:b', value: bytes('2'), ttlMs: MINUTE, tags: ['ns1:tag'] },
      { key: 'ns2:a', value: bytes('3'), ttlMs: MINUTE },
    ]);
    expect(await mine.clear('ns1:')).toBe(2);
    expect(await other.getMany(['ns1:a', 'ns1:b', 'ns2:a'])).toEqual([
      undefined,
      undefined,
      expect.anything(),
    ]);
    // the markers go with their entries, and the emptied tag directory with them
    expect(await readdir(join(dir, 't'))).toEqual([]);
  });

  it('does not count expired entries', async () => {
    const tier = fsTier(dir);
    await tier.set('p:expired', bytes('x'), { ttlMs: 20 });
    await tier.set('p:live', bytes('y'), { ttlMs: MINUTE });
    await sleep(50);
    expect(await tier.clear('p:')).toBe(1);
    expect(await readdir(join(dir, 'v', hash('p:expired').slice(0, 2))).catch(() => [])).not.toContain(
      hash('p:expired'),
    );
  });
});

describe('fsTier size bound', () => {
  const value = new Uint8Array(1000).fill(7);

  it('keeps the directory under maxBytes by evicting the oldest entries', async () => {
    const tier = new FsTier(dir, { maxBytes: 10_000 });
    for (let i = 0; i < 30; i++) {
      await tier.set(`k${i}`, value, { ttlMs: MINUTE });
      await sleep(2);
    }
    expect(await tier.sizeBytes()).toBeLessThanOrEqual(10_000);
    expect(await tier.get('k0')).toBeUndefined();
    expect(await tier.get('k29')).toBeDefined();
    expect(await tier.get('k28')).toBeDefined();
  });

  it('evicts expired entries before older live ones', async () => {
    const tier = new FsTier(dir, { maxBytes: 10_000 });
    await tier.set('old-live', value, { ttlMs: MINUTE });
    await sleep(2);
    for (let i = 0; i < 3; i++) await tier.set(`expiring${i}`, value, { ttlMs: 20 });
    await sleep(40);
    for (let i = 0; i < 6; i++) await tier.set(`new${i}`, value, { ttlMs: MINUTE });
    // 10 entries of ~1.05 KB each exceed 10 KB: the three expired ones go first, which is enough.
    expect(await tier.sizeBytes()).toBeLessThanOrEqual(10_000);
    expect(await tier.get('old-live')).toBeDefined();
    for (let i = 0; i < 3; i++) await expect(stat(pathOf(dir, `expiring${i}`))).rejects.toThrow();
  });

  it('does not store a value larger than the whole bound, and drops the older value of that key', async () => {
    const tier = new FsTier(dir, { maxBytes: 2_000 });
    await tier.set('big', value, { ttlMs: MINUTE });
    await tier.set('big', new Uint8Array(5_000), { ttlMs: MINUTE });
    expect(await tier.get('big')).toBeUndefined();
  });

  it('accounts for entries already on disk when it starts', async () => {
    const first = new FsTier(dir);
    for (let i = 0; i < 12; i++) await first.set(`pre${i}`, value, { ttlMs: MINUTE });
    const bounded = new FsTier(dir, { maxBytes: 10_000 });
    await bounded.set('one-more', value, { ttlMs: MINUTE });
    expect(await bounded.sizeBytes()).toBeLessThanOrEqual(10_000);
    expect(await bounded.get('one-more')).toBeDefined();
  });
});

describe('fsTier damaged and foreign files', () => {
  it('treats a truncated (torn) file as a miss and removes it', async () => {
    const tier = fsTier(dir);
    await tier.set('k', new Uint8Array(4096).fill(1), { ttlMs: MINUTE });
    const path = pathOf(dir, 'k');
    const full = await readFile(path);
    await writeFile(path, full.subarray(0, full.length - 100));
    expect(await tier.get('k')).toBeUndefined();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('treats a corrupted file (bad checksum) and a foreign file as misses', async () => {
    const tier = fsTier(dir);
    await tier.set('k', bytes('hello'), { ttlMs: MINUTE });
    const path = pathOf(dir, 'k');
    const full = await readFile(path);
    full.writeUInt8(full.readUInt8(full.length - 1) ^ 0xff, full.length - 1);
    await writeFile(path, full);
    expect(await tier.get('k')).toBeUndefined();
    await mkdir(dirname(pathOf(dir, 'f')), { recursive: true });
    await writeFile(pathOf(dir, 'f'), 'not an omnicache file at all');
    expect(await tier.get('f')).toBeUndefined();
  });

  it('never returns another key’s bytes found at a key’s path (hash collision), and leaves them alone', async () => {
    const tier = fsTier(dir);
    await mkdir(dirname(pathOf(dir, 'mine')), { recursive: true });
    await writeFile(
      pathOf(dir, 'mine'),
      encodeEntry('someone-else', bytes('theirs'), [], Date.now() + MINUTE),
    );
    expect(await tier.get('mine')).toBeUndefined();
    expect((await stat(pathOf(dir, 'mine'))).isFile()).toBe(true);
  });

  it('reads format-1 entries (no version), and keeps a live entry with a higher version than a write', async () => {
    const tier = fsTier(dir);
    // Format 1: 32-byte header, CRC at 28 over bytes 0..27 and the body.
    const key = Buffer.from('old');
    const value = Buffer.from('v1');
    const v1 = Buffer.alloc(32 + key.length + value.length);
    v1.write('OMCF', 0, 'latin1');
    v1.writeUInt8(1, 4);
    v1.writeDoubleLE(Date.now() + MINUTE, 8);
    v1.writeUInt32LE(key.length, 16);
    v1.writeUInt32LE(0, 20);
    v1.writeUInt32LE(value.length, 24);
    key.copy(v1, 32);
    value.copy(v1, 32 + key.length);
    const { crc32 } = await import('node:zlib');
    v1.writeUInt32LE(crc32(v1.subarray(32), crc32(v1.subarray(0, 28))), 28);
    await mkdir(dirname(pathOf(dir, 'old')), { recursive: true });
    await writeFile(pathOf(dir, 'old'), v1);
    expect(text(await tier.get('old'))).toBe('v1');

    await tier.set('k', bytes('newer'), { ttlMs: MINUTE, version: 20 });
    await tier.set('k', bytes('older'), { ttlMs: MINUTE, version: 10 }); // e.g. another process, behind
    expect(text(await tier.get('k'))).toBe('newer');
    await tier.set('k', bytes('newest'), { ttlMs: MINUTE, version: 30 });
    expect(text(await tier.get('k'))).toBe('newest');
  });

  it('scans skip and reclaim files that are not entries, and old temp files', async () => {
    const tier = fsTier(dir);
    await tier.set('ns:k', bytes('v'), { ttlMs: MINUTE });
    await mkdir(join(dir, 'v', 'zz'), { recursive: true });
    await writeFile(join(dir, 'v', 'zz', 'garbage'), 'garbage');
    const staleTemp = join(dir, 'tmp', 'stale');
    await writeFile(staleTemp, 'half a write');
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(staleTemp, old, old);
    expect(await tier.clear('ns:')).toBe(1);
    await expect(stat(join(dir, 'v', 'zz', 'garbage'))).rejects.toThrow();
    await expect(stat(staleTemp)).rejects.toThrow();
  });
});

describe('fsTier with concurrent writer processes', () => {
  it('never exposes a torn file while several processes overwrite the same key', async () => {
    const build = join(dir, 'build');
    const module = await transpileForChild(
      join(here, '../../src/tiers/fs/index.ts'),
      join(here, '../../src'),
      join(build, 'src'),
    );
    const cacheDir = join(dir, 'cache');
    const run = promisify(execFile);
    const children = [1, 2, 3, 4].map((id) =>
      run(process.execPath, [
        join(here, 'support/fs-writer-child.mjs'),
        module,
        cacheDir,
        'contended',
        '60',
        String(id),
      ]),
    );
    let finished = false;
    const all = Promise.all(children).finally(() => {
      finished = true;
    });
    const reader = fsTier(cacheDir);
    let reads = 0;
    let hits = 0;
    while (!finished) {
      const value = await reader.get('contended');
      reads++;
      if (value) {
        hits++;
        const marker = value[0]!;
        const length = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(1, true);
        expect(value.byteLength).toBe(5 + length);
        expect(value.subarray(5).every((b) => b === marker)).toBe(true);
      }
    }
    await all;
    expect(reads).toBeGreaterThan(0);
    expect(hits).toBeGreaterThan(0);
    expect(await readdir(join(cacheDir, 'tmp'))).toEqual([]);
    const final = await reader.get('contended');
    expect(final).toBeDefined();
    expect(await reader.deleteByTag('race')).toBe(1);
  });
});

describe('fsTier usage (entries and bytes for the tier gauges)', () => {
  it('is unknown until one background scan has run, then counts files from every process', async () => {
    const other = fsTier(dir);
    await other.set('a', bytes('from another process'), { ttlMs: MINUTE });
    const tier = fsTier(dir);
    expect(tier.usage()).toBeUndefined();
    for (let i = 0; i < 50 && tier.usage() === undefined; i++) await sleep(10);
    const first = tier.usage()!;
    expect(first.entries).toBe(1);
    expect(first.bytes).toBe(await other.sizeBytes());
    await tier.set('b', bytes('mine'), { ttlMs: MINUTE });
    const second = tier.usage()!;
    expect(second.entries).toBe(2);
    expect(second.bytes).toBeGreaterThan(first.bytes);
    await tier.delete('a');
    expect(tier.usage()!.entries).toBe(1);
  });
});

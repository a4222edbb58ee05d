import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, TierError } from '../../errors.js';
import { drained, queuedFor, serialized } from '../shared/key-queue.js';
import { toTierError } from '../shared/tier-error.js';
import { normaliseTtl } from '../shared/ttl.js';
import { nextWriteToken } from '../shared/write-token.js';
import type { Tier, TierKeysPage, TierRead, TierSetOptions, TierWrite } from '../tier.js';
import {
  decodeEntry,
  decodeMeta,
  type EntryMeta,
  encodeEntry,
  HEADER_BYTES,
  metaLength,
} from './entry-file.js';

export interface FsTierOptions {
  /**
   * Upper bound on the bytes of entry files in the directory. When a write pushes the total over it, expired
   * entries and then the oldest ones are removed until the total is at most 90% of it. Default: unbounded.
   */
  maxBytes?: number;
  /**
   * How often (ms) writes start a background sweep of the directory: expired entries, tag markers whose entry
   * is gone or no longer carries the tag, and empty tag directories are removed (also files written by other
   * processes). Default 5 minutes; the first write after the tier is created starts none.
   */
  sweepIntervalMs?: number;
  /**
   * How long (ms) a key delete leaves a tombstone file (default 60 000; 0: no tombstones, deletes remove the file
   * and write-backs are not conditional). See RedisTierCommonOptions.tombstoneMs.
   */
  tombstoneMs?: number;
}

interface IndexEntry extends EntryMeta {
  mtimeMs: number;
}

/** Temp files older than this are leftovers of a crashed writer and are removed by scans. */
const STALE_TEMP_MS = 10 * 60_000;
const LOW_WATER = 0.9;
const DEFAULT_SWEEP_MS = 5 * 60_000;
/**
 * A sweep leaves tag markers younger than this alone: another process may be between renaming its entry into
 * place and writing the marker (the marker is written after the entry).
 */
const MARKER_GRACE_MS = 60_000;
const DEFAULT_TOMBSTONE_MS = 60_000;

/**
 * The embedded L3: one file per key under `dir`.
 *
 *   v/<h2>/<sha256(key)>        entry files (see entry-file.ts): key, tags, expiry, value, CRC
 *   t/<sha256(tag)>/<sha256(key)>  empty tag markers (removed with their entry, when a rewrite drops the tag,
 *                               and by the periodic sweep; an emptied tag directory is removed too)
 *   tmp/                        writes land here first and are renamed into place (atomic on one filesystem),
 *                               so readers in any process see the old file or the new one, never a torn one
 *
 * Ordering: every write and delete of a key is queued per entry path, process-wide (shared/key-queue.ts),
 * so they land in call order even when an earlier temp file is slower; a read waits for those called before
 * it; clear and deleteByTag first wait for every operation called before them; setMany keeps the last write
 * of a key. A write whose version (TierSetOptions.version) is lower than the live entry's on disk is
 * dropped, which orders writes of one key by different processes (up to the check-then-rename window).
 * Conditional writes (tier.ts): each entry file carries its write's token; a key delete leaves a tombstone file
 * (expiring after `tombstoneMs`); setIfUnchanged compares the token in the key's queue, so it is atomic against
 * this process's writes and, across processes, up to the same check-then-rename window.
 * Reads never delete what they did not read: an expired or damaged entry is moved aside and removed only if
 * it is still the file the read saw (same inode); a newer file moved aside by mistake is linked back
 * unless an even newer one already took its place.
 *
 * An in-memory index (key, tags, expiry, size per file) is built lazily by scanning and refreshed before
 * clear() and eviction, so writes by other processes are taken into account.
 */
export class FsTier implements Tier {
  readonly kind = 'fs' as const;
  readonly dir: string;
  readonly #maxBytes: number | undefined;
  readonly #index = new Map<string, IndexEntry>();
  /** Tombstones among the index entries (not counted as entries by usage()). */
  #tombstones = 0;
  #bytes = 0;
  #scanned = false;
  #scanning: Promise<void> | undefined;
  #evicting: Promise<void> | undefined;
  /** Shard directories (at most 256) and tmp/ known to exist; tag directories are created on demand. */
  readonly #createdDirs = new Set<string>();
  readonly #sweepMs: number;
  /** Lifetime of delete tombstones in ms; 0 = none. */
  readonly tombstoneMs: number;
  #lastSweep = Date.now();
  #sweeping: Promise<void> | undefined;
  #closed = false;

  constructor(dir: string, options: FsTierOptions = {}) {
    if (!dir) throw new ConfigError('fsTier needs a directory path, e.g. fsTier(".cache/omnicache")');
    if (options.maxBytes !== undefined && !(options.maxBytes > 0)) {
      throw new ConfigError(`fsTier maxBytes must be a positive number of bytes, got ${options.maxBytes}`);
    }
    // Absolute, so every FsTier on this directory in the process shares the per-file queues.
    this.dir = resolve(dir);
    this.#maxBytes = options.maxBytes;
    if (options.sweepIntervalMs !== undefined && !(options.sweepIntervalMs > 0)) {
      throw new ConfigError(
        `fsTier sweepIntervalMs must be a positive number of ms, got ${options.sweepIntervalMs}`,
      );
    }
    this.#sweepMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_MS;
    const tombstoneMs = options.tombstoneMs ?? DEFAULT_TOMBSTONE_MS;
    if (!(Number.isSafeInteger(tombstoneMs) && tombstoneMs >= 0)) {
      throw new ConfigError(`fsTier tombstoneMs must be 0 or a positive number of ms, got ${tombstoneMs}`);
    }
    this.tombstoneMs = tombstoneMs;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.#op('get', () => this.#get(key))).value;
  }

  read(key: string): Promise<TierRead> {
    return this.#op('get', () => this.#get(key));
  }

  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    const found = await this.#op('getMany', () => Promise.all(keys.map((key) => this.#get(key))));
    return found.map((f) => f.value);
  }

  /** Compares the key's state with `expected` and writes, in the key's queue (see the class comment). */
  setIfUnchanged(write: TierWrite, expected: string): Promise<boolean> {
    return this.#op(
      'set',
      async () => {
        const name = hashOf(write.key);
        const scanning = this.#maxBytes !== undefined && !this.#scanned ? this.#scan() : undefined;
        const written = await serialized(this.#valuePath(name), async () => {
          if (scanning !== undefined) await scanning;
          if (stateOf(await this.#readMeta(name), write.key) !== expected) return false;
          return this.#write(write);
        });
        if (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes) await this.#evict();
        return written;
      },
      false,
    );
  }

  set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void> {
    return this.#op('set', () => this.#setAll([{ key, value, ...options }]), false);
  }

  setMany(writes: readonly TierWrite[]): Promise<void> {
    return this.#op('setMany', () => this.#setAll(writes), false);
  }

  delete(key: string): Promise<boolean> {
    return this.#op('delete', () => this.#deleteKey(key), false);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    return (await this.deleteEach(keys)).filter(Boolean).length;
  }

  deleteEach(keys: readonly string[]): Promise<boolean[]> {
    return this.#op('deleteMany', () => Promise.all(keys.map((key) => this.#deleteKey(key))), false);
  }

  /** A key delete: a tombstone file in place of the entry (present or not), or no file without tombstones. */
  #deleteKey(key: string): Promise<boolean> {
    const name = hashOf(key);
    if (this.tombstoneMs === 0) return this.#remove(name);
    return serialized(this.#valuePath(name), async () => {
      const current = await this.#readMeta(name);
      const existed = current !== undefined && !current.tombstone;
      await this.#write({ key, value: EMPTY, ttlMs: this.tombstoneMs }, true);
      return existed;
    });
  }

  deleteByTag(tag: string): Promise<number> {
    return this.#op('deleteByTag', async () => {
      // Writes called before this (their tag markers may not exist yet) land first.
      await drained();
      const tagDir = join(this.dir, 't', hashOf(tag));
      const markers = await readdirOrEmpty(tagDir);
      const now = Date.now();
      let removed = 0;
      await Promise.all(
        markers.map((name) =>
          // Queued with the key's writes, so the file checked is the file removed.
          serialized(this.#valuePath(name), async () => {
            const meta = await this.#readMeta(name);
            // The marker may outlive the tagging write (the key was re-set without the tag): check the file.
            if (meta?.tags.includes(tag)) {
              const existed = await this.#removeNow(name, meta.tags);
              if (existed && meta.expiresAt > now) removed++;
            }
            await unlinkIfExists(join(tagDir, name));
          }),
        ),
      );
      await rmdir(tagDir).catch(() => {});
      return removed;
    });
  }

  /** Keys from the directory index (rescanned first) in key order; the cursor is the last key returned. */
  keys(prefix: string, cursor: string | undefined, limit: number): Promise<TierKeysPage> {
    return this.#op('keys', async () => {
      await this.#scan();
      const now = Date.now();
      const all: string[] = [];
      for (const e of this.#index.values()) {
        if (
          !e.tombstone &&
          e.key.startsWith(prefix) &&
          e.expiresAt > now &&
          (cursor === undefined || e.key > cursor)
        )
          all.push(e.key);
      }
      all.sort();
      const keys = all.slice(0, limit);
      return { keys, cursor: all.length > limit ? keys[keys.length - 1] : undefined };
    });
  }

  clear(prefix: string): Promise<number> {
    return this.#op('clear', async () => {
      // Writes called before this (not in the directory yet) land first, so the scan sees them.
      await drained();
      await this.#freshScan();
      const now = Date.now();
      let removed = 0;
      const doomed = [...this.#index].filter(([, entry]) => entry.key.startsWith(prefix));
      await Promise.all(
        doomed.map(([name, entry]) =>
          serialized(this.#valuePath(name), async () => {
            const existed = await this.#removeNow(name, entry.tags);
            if (existed && entry.expiresAt > now && !entry.tombstone) removed++;
          }),
        ),
      );
      return removed;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#evicting?.catch(() => {});
    await this.#sweeping?.catch(() => {});
  }

  /**
   * Removes what no read would return: expired entries, tag markers whose entry is gone, expired or no longer
   * carries the tag (markers younger than a minute are left to writers in flight), and empty tag directories.
   * Writes start one in the background every `sweepIntervalMs`; returns what it removed.
   */
  sweep(): Promise<{ entries: number; markers: number; tagDirs: number }> {
    return this.#op('sweep', async () => {
      await this.#freshScan();
      const result = { entries: 0, markers: 0, tagDirs: 0 };
      for (const [name, known] of [...this.#index]) {
        if (known.expiresAt > Date.now()) continue;
        const path = this.#valuePath(name);
        await serialized(path, async () => {
          const info = await stat(path, { bigint: true }).catch(() => undefined);
          const meta = info === undefined ? undefined : await this.#readMeta(name);
          if (info === undefined || meta === undefined || meta.expiresAt > Date.now()) return;
          if (await this.#discard(path, name, { dev: info.dev, ino: info.ino }, meta.tags)) result.entries++;
        });
      }
      const tagsRoot = join(this.dir, 't');
      for (const tagHash of await readdirOrEmpty(tagsRoot)) {
        const tagDir = join(tagsRoot, tagHash);
        // Anything but a directory here is not ours: left alone.
        const markers = await readdirOrEmpty(tagDir).catch((error: unknown) => {
          if (isCode(error, 'ENOTDIR')) return undefined;
          throw error;
        });
        if (markers === undefined) continue;
        for (const name of markers) {
          const marker = join(tagDir, name);
          const info = await stat(marker).catch(() => undefined);
          if (info === undefined || Date.now() - info.mtimeMs < MARKER_GRACE_MS) continue;
          await serialized(this.#valuePath(name), async () => {
            const carries = async () => {
              const meta = await this.#readMeta(name);
              return meta !== undefined && meta.expiresAt > Date.now()
                ? meta.tags.find((t) => hashOf(t) === tagHash)
                : undefined;
            };
            if ((await carries()) !== undefined) return;
            if (await unlinkIfExists(marker)) result.markers++;
            // Another process may have rewritten the entry with the tag meanwhile: put its marker back.
            const tag = await carries();
            if (tag !== undefined) await this.#writeMarker(tag, name);
          });
        }
        try {
          await rmdir(tagDir);
          result.tagDirs++;
        } catch {
          // not empty (or already gone)
        }
      }
      return result;
    });
  }

  #startSweep(): void {
    if (this.#sweeping !== undefined || this.#closed) return;
    this.#lastSweep = Date.now();
    this.#sweeping = this.sweep()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  /**
   * Entries and bytes as last accounted: undefined until the directory has been scanned once (the first
   * call starts that scan in the background); afterwards this process's writes keep it current and each
   * later scan (eviction, clear) folds in other processes' files.
   */
  usage(): { entries: number; bytes: number } | undefined {
    if (!this.#scanned) {
      if (!this.#closed) this.#scan().catch(() => undefined);
      return undefined;
    }
    return { entries: this.#index.size - this.#tombstones, bytes: this.#bytes };
  }

  /** Total bytes of entry files as last accounted (after a scan this reflects every process's writes). */
  async sizeBytes(): Promise<number> {
    await this.#scan();
    return this.#bytes;
  }

  async #get(key: string): Promise<TierRead> {
    const name = hashOf(key);
    const path = this.#valuePath(name);
    // Writes and deletes of the key called before this read land first.
    const queued = queuedFor(path);
    if (queued !== undefined) await queued;
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return NOTHING;
      throw error;
    }
    let bytes: Buffer;
    let file: FileId;
    try {
      const info = await handle.stat({ bigint: true });
      file = { dev: info.dev, ino: info.ino };
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    const entry = decodeEntry(bytes);
    if (!entry) {
      // Truncated, corrupted or not ours: it sits at our path, so remove it (if it is still the file we
      // read) and report a miss.
      await serialized(path, () => this.#discard(path, name, file));
      return NOTHING;
    }
    if (entry.key !== key) return NOTHING; // a SHA-256 collision: never return another key's bytes
    if (entry.expiresAt <= Date.now()) {
      await serialized(path, () => this.#discard(path, name, file, entry.tags));
      return NOTHING;
    }
    return { value: entry.tombstone ? undefined : entry.value, state: stateOf(entry, key) };
  }

  /**
   * Removes the file at `path` (entry `name`) only if it is `file` (the one a read saw). It is renamed
   * aside first (atomic), compared by inode, and linked back when it turns out to be a newer file (link
   * never replaces an even newer one that was renamed into place meanwhile). True when it removed `file` (and
   * the markers of its `tags`).
   */
  async #discard(path: string, name: string, file: FileId, tags: readonly string[] = []): Promise<boolean> {
    await this.#ensureDir(join(this.dir, 'tmp'));
    const aside = join(this.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}.discard`);
    try {
      await rename(path, aside);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
    try {
      const moved = await stat(aside, { bigint: true });
      if (moved.ino === file.ino && moved.dev === file.dev) {
        this.#forget(name);
        await this.#dropMarkers(name, tags);
        return true;
      }
      try {
        await link(aside, path);
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
      return false;
    } finally {
      await unlinkIfExists(aside);
    }
  }

  async #setAll(writes: readonly TierWrite[]): Promise<void> {
    // The size bound needs the index once; after that our own writes keep it current, and eviction
    // rescans first (so files written by other processes are counted before anything is removed).
    const scanning = this.#maxBytes !== undefined && !this.#scanned ? this.#scan() : undefined;
    // The last write of each key wins; each is queued now, in call order, behind earlier calls for the key.
    const last = new Map<string, TierWrite>();
    for (const write of writes) {
      last.delete(write.key);
      last.set(write.key, write);
    }
    await Promise.all(
      [...last.values()].map((write) =>
        serialized(this.#valuePath(hashOf(write.key)), async () => {
          if (scanning !== undefined) await scanning;
          await this.#write(write);
        }),
      ),
    );
    if (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes) await this.#evict();
    if (Date.now() - this.#lastSweep >= this.#sweepMs) this.#startSweep();
  }

  /** Runs queued for the key's path (see #setAll); true when the entry (or tombstone) was written. */
  async #write(write: TierWrite, tombstone = false): Promise<boolean> {
    try {
      return await this.#writeOnce(write, tombstone);
    } catch (error) {
      // A directory removed under us (a tag directory emptied by deleteByTag, an operator): retry in place,
      // still in the key's queue (retrying from #op would queue the write again, after later calls).
      if (!isCode(error, 'ENOENT')) throw error;
      this.#createdDirs.clear();
      return this.#writeOnce(write, tombstone);
    }
  }

  async #writeOnce(write: TierWrite, tombstone: boolean): Promise<boolean> {
    const name = hashOf(write.key);
    const ttl = normaliseTtl(write.ttlMs);
    if (ttl === 0) {
      await this.#removeNow(name);
      return false;
    }
    // The entry being replaced: its version (another process may have written a newer one: keep it) and its
    // tags (markers of tags this write drops are removed after it).
    const current = await this.#readMeta(name);
    if (
      write.version !== undefined &&
      current !== undefined &&
      current.key === write.key &&
      current.version > write.version &&
      current.expiresAt > Date.now()
    ) {
      return false;
    }
    const tags = [...new Set(write.tags ?? [])];
    const expiresAt = ttl === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttl;
    const version = write.version ?? 0;
    const token = nextWriteToken();
    const bytes = encodeEntry(write.key, write.value, tags, expiresAt, version, token, tombstone);
    if (this.#maxBytes !== undefined && bytes.length > this.#maxBytes) {
      // Larger than the whole tier: do not store, and do not leave an older value behind.
      await this.#removeNow(name, current?.tags);
      return false;
    }
    const shardDir = join(this.dir, 'v', name.slice(0, 2));
    await this.#ensureDir(shardDir);
    await this.#ensureDir(join(this.dir, 'tmp'));
    const temp = join(this.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, bytes);
      await rename(temp, join(shardDir, name));
    } catch (error) {
      await unlinkIfExists(temp);
      throw error;
    }
    const previous = this.#index.get(name);
    this.#bytes += bytes.length - (previous?.size ?? 0);
    this.#indexSet(name, {
      key: write.key,
      tags,
      expiresAt,
      version,
      token,
      tombstone,
      size: bytes.length,
      mtimeMs: Date.now(),
    });
    await Promise.all(tags.map((tag) => this.#writeMarker(tag, name)));
    const dropped = current?.tags.filter((t) => !tags.includes(t));
    if (dropped !== undefined && dropped.length > 0) await this.#dropMarkers(name, dropped);
    return true;
  }

  /** Writes the empty marker t/<hash(tag)>/<name>, creating the tag directory when needed. */
  async #writeMarker(tag: string, name: string): Promise<void> {
    const tagDir = join(this.dir, 't', hashOf(tag));
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(join(tagDir, name), '');
        return;
      } catch (error) {
        // The directory does not exist yet, or a sweep/deleteByTag removed it as empty just now.
        if (!isCode(error, 'ENOENT') || attempt >= 3) throw error;
        await mkdir(tagDir, { recursive: true });
      }
    }
  }

  /**
   * Removes the markers of `tags` for entry `name` (callers hold the key's queue) and their tag directories once
   * empty. Another process may have rewritten the entry with one of those tags meanwhile: its marker is put back.
   */
  async #dropMarkers(name: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await Promise.all(
      tags.map(async (tag) => {
        const tagDir = join(this.dir, 't', hashOf(tag));
        await unlinkIfExists(join(tagDir, name));
        await rmdir(tagDir).catch(() => {});
      }),
    );
    const now = await this.#readMeta(name);
    if (now === undefined) return;
    await Promise.all(now.tags.filter((t) => tags.includes(t)).map((t) => this.#writeMarker(t, name)));
  }

  /** Unlinks an entry file, queued behind earlier writes and deletes of the key; true if it existed. */
  #remove(name: string, tags?: readonly string[]): Promise<boolean> {
    return serialized(this.#valuePath(name), () => this.#removeNow(name, tags));
  }

  /**
   * Unlinks an entry file and its tag markers (callers hold the key's queue); true if it existed. `tags`: the
   * entry's tags when the caller read them, else they are read from the file first.
   */
  async #removeNow(name: string, tags?: readonly string[]): Promise<boolean> {
    const known = tags ?? (await this.#readMeta(name))?.tags ?? [];
    const existed = await unlinkIfExists(this.#valuePath(name));
    this.#forget(name);
    await this.#dropMarkers(name, known);
    return existed;
  }

  #indexSet(name: string, entry: IndexEntry): void {
    if (this.#index.get(name)?.tombstone) this.#tombstones--;
    this.#index.set(name, entry);
    if (entry.tombstone) this.#tombstones++;
  }

  #indexDelete(name: string): void {
    if (this.#index.get(name)?.tombstone) this.#tombstones--;
    this.#index.delete(name);
  }

  #forget(name: string): void {
    const previous = this.#index.get(name);
    if (previous) {
      this.#bytes -= previous.size;
      this.#indexDelete(name);
    }
  }

  async #readMeta(name: string): Promise<EntryMeta | undefined> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.#valuePath(name), 'r');
      const { size } = await handle.stat();
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
      const needed = metaLength(header.subarray(0, bytesRead));
      if (needed === undefined || needed > size) return undefined;
      const prefix = Buffer.alloc(needed);
      await handle.read(prefix, 0, needed, 0);
      return decodeMeta(prefix, size);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    } finally {
      await handle?.close();
    }
  }

  /** A scan that started after this call (a scan already running may have missed files written since). */
  async #freshScan(): Promise<void> {
    const running = this.#scanning;
    if (running !== undefined) await running.catch(() => undefined);
    await this.#scan();
  }

  /** Refreshes the index from disk (shared by concurrent callers). */
  #scan(): Promise<void> {
    this.#scanning ??= this.#doScan().finally(() => {
      this.#scanning = undefined;
    });
    return this.#scanning;
  }

  async #doScan(): Promise<void> {
    const seen = new Set<string>();
    let bytes = 0;
    for (const shard of await readdirOrEmpty(join(this.dir, 'v'))) {
      for (const name of await readdirOrEmpty(join(this.dir, 'v', shard))) {
        const path = join(this.dir, 'v', shard, name);
        const info = await stat(path, { bigint: true }).catch(() => undefined);
        if (!info?.isFile()) continue;
        const known = this.#index.get(name);
        if (known && known.size === Number(info.size) && known.mtimeMs === Number(info.mtimeMs)) {
          seen.add(name);
          bytes += known.size;
          continue;
        }
        const meta = await this.#readMeta(name);
        if (!meta || hashOf(meta.key) !== name) {
          // Not an entry of ours (torn by a crash without rename, corrupted or foreign): reclaim the space,
          // unless a writer renamed a good entry into place since the stat.
          await this.#discard(path, name, { dev: info.dev, ino: info.ino });
          continue;
        }
        this.#indexSet(name, { ...meta, mtimeMs: Number(info.mtimeMs) });
        seen.add(name);
        bytes += meta.size;
      }
    }
    for (const name of [...this.#index.keys()]) if (!seen.has(name)) this.#indexDelete(name);
    this.#bytes = bytes;
    this.#scanned = true;
    await this.#sweepTemp();
  }

  async #sweepTemp(): Promise<void> {
    const tmp = join(this.dir, 'tmp');
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const name of await readdirOrEmpty(tmp)) {
      const info = await stat(join(tmp, name)).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await unlinkIfExists(join(tmp, name));
    }
  }

  /** Rescans, drops all expired entries, then the oldest live ones until the total is under the low-water mark. */
  #evict(): Promise<void> {
    this.#evicting ??= this.#doEvict().finally(() => {
      this.#evicting = undefined;
    });
    return this.#evicting;
  }

  async #doEvict(): Promise<void> {
    const limit = this.#maxBytes;
    if (limit === undefined) return;
    await this.#scan();
    if (this.#bytes <= limit) return;
    const target = limit * LOW_WATER;
    const now = Date.now();
    const entries = [...this.#index].sort(([, a], [, b]) => {
      const aExpired = a.expiresAt <= now ? 0 : 1;
      const bExpired = b.expiresAt <= now ? 0 : 1;
      return aExpired - bExpired || a.mtimeMs - b.mtimeMs;
    });
    for (const [name, entry] of entries) {
      // Every expired entry goes (it is garbage anyway); live ones only until the low-water mark.
      if (entry.expiresAt > now && this.#bytes <= target) break;
      await this.#remove(name, entry.tags);
    }
  }

  async #ensureDir(path: string): Promise<void> {
    if (this.#createdDirs.has(path)) return;
    await mkdir(path, { recursive: true });
    this.#createdDirs.add(path);
  }

  #valuePath(name: string): string {
    return join(this.dir, 'v', name.slice(0, 2), name);
  }

  /**
   * Runs an operation, mapping failures to TierError. `retry`: on ENOENT (a directory removed under us)
   * forget what we created and run it again; writes and deletes retry inside their key's queue instead.
   */
  async #op<T>(operation: string, work: () => Promise<T>, retry = true): Promise<T> {
    if (this.#closed) throw new TierError('fs', `fs ${operation} called after close(); create a new tier`);
    try {
      return await work();
    } catch (error) {
      let failure = error;
      if (retry && isCode(error, 'ENOENT')) {
        this.#createdDirs.clear();
        try {
          return await work();
        } catch (retryError) {
          failure = retryError;
        }
      }
      throw toTierError('fs', operation, failure, `check that ${this.dir} is writable and has free space`);
    }
  }

  /** Whether the lazy index has been built (for tests and diagnostics). */
  get indexed(): boolean {
    return this.#scanned;
  }
}

const EMPTY = new Uint8Array(0);
const NOTHING: TierRead = Object.freeze({ value: undefined, state: '' });

/**
 * A key's state as `read` names it: '' nothing live, 'v' / 't' + token for a value / tombstone, 'l' for a file of
 * an older format (no token). A file of another key (a hash collision) or an expired one counts as nothing.
 */
function stateOf(meta: EntryMeta | undefined, key: string): string {
  if (meta === undefined || meta.key !== key || meta.expiresAt <= Date.now()) return '';
  if (meta.token === '') return 'l';
  return (meta.tombstone ? 't' : 'v') + meta.token;
}

/** Identifies one file (not one path): a rename into place gives the path another inode. */
interface FileId {
  dev: bigint;
  ino: bigint;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
}

async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/** The embedded L3: `fsTier('.cache/omnicache', { maxBytes: 1 << 30 })`. */
export function fsTier(dir: string, options: FsTierOptions = {}): FsTier {
  return new FsTier(dir, options);
}

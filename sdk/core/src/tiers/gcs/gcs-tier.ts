import type { Bucket, File, Storage as GcsStorage, StorageOptions } from '@google-cloud/storage';
import { ConfigError, TierError } from '../../errors.js';
import { DeadlineQueue } from '../../resilience/deadline-queue.js';
import { checkTimerMs } from '../../resilience/timeout.js';
import { drained, queuedFor, serialized } from '../shared/key-queue.js';
import { Semaphore } from '../shared/semaphore.js';
import { toTierError } from '../shared/tier-error.js';
import { normaliseTtl } from '../shared/ttl.js';
import type { Tier, TierKeysPage, TierSetOptions, TierWrite } from '../tier.js';
import { isLongForm, listPrefix, matchesPrefix, nameSegment, TAGS_AREA } from './object-names.js';
import { Storage } from './storage.js';

export const EXPIRES_AT_METADATA = 'omnicache-expires-at';
export const KEY_METADATA = 'omnicache-key';
/** JSON array of the value's tags: deleteByTag removes a value only if it still carries the tag. */
export const TAGS_METADATA = 'omnicache-tags';
const EXPIRES_AT_HEADER = `x-goog-meta-${EXPIRES_AT_METADATA}`;

export interface GcsTierOptions {
  /** Bucket name (must exist). */
  bucket: string;
  /** An existing Storage client; otherwise one is created from `storageOptions`. */
  storage?: GcsStorage;
  /**
   * Options for the Storage client the tier creates. Unless they set `retryOptions`, automatic retries are off:
   * a cache tier should fail fast and let the circuit breaker decide; unless they set `timeout`, every HTTP request
   * is cancelled after `requestTimeoutMs` (a request nobody waits for any more does not stay open).
   */
  storageOptions?: StorageOptions;
  /** Object-name prefix inside the bucket (default ''), e.g. 'omnicache/'. */
  prefix?: string;
  /** Maximum concurrent requests for getMany/setMany/deleteMany/deleteByTag/clear (default 16). */
  concurrency?: number;
  /** Budget for one object request in ms (default 5000). Exceeding it rejects with TimeoutError. */
  requestTimeoutMs?: number;
}

interface Downloaded {
  data: Buffer;
  expiresAt: number | undefined;
  generation: string | undefined;
}

const LIST_PAGE = 1000;

/**
 * L3 tier on Google Cloud Storage. One object per key holding the raw bytes; expiry in custom metadata
 * `omnicache-expires-at` (epoch ms), read from the download's x-goog-meta header so a get is one request;
 * expired objects read as a miss and are deleted lazily (only the generation that was read). Tags are
 * empty marker objects `${prefix}__tags/<tag>/<key>` that deleteByTag lists; the value's own tags are in
 * its metadata `omnicache-tags`, so a value written again without the tag is not removed by it.
 *
 * Ordering: writes and deletes of one key are queued per object, process-wide (shared/key-queue.ts), so
 * they land in call order although requests run concurrently; a read waits for those called before it;
 * setMany keeps a key's last write; clear and deleteByTag start after every operation called before them.
 */
export class GcsTier implements Tier {
  readonly kind = 'gcs' as const;
  readonly bucket: Bucket;
  readonly #prefix: string;
  readonly #semaphore: Semaphore;
  readonly #timeoutMs: number;
  readonly #deadlines: DeadlineQueue;
  readonly callTimeoutMs: number;
  #closed = false;

  constructor(options: GcsTierOptions) {
    if (!options.bucket) throw new ConfigError('gcsTier needs { bucket }: the name of an existing bucket');
    this.#timeoutMs = checkTimerMs('gcsTier requestTimeoutMs', options.requestTimeoutMs ?? 5000);
    const storage =
      options.storage ??
      new Storage({
        retryOptions: { autoRetry: false },
        timeout: this.#timeoutMs,
        ...options.storageOptions,
      });
    this.bucket = storage.bucket(options.bucket);
    this.#prefix = options.prefix ?? '';
    this.#semaphore = new Semaphore(options.concurrency ?? 16);
    this.#deadlines = new DeadlineQueue(this.#timeoutMs);
    this.callTimeoutMs = this.#timeoutMs;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#afterQueued(key, () => this.#semaphore.run(() => this.#get(key)));
  }

  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void> {
    return this.#queued(key, () => this.#set({ key, value, ...options }));
  }

  async setMany(writes: readonly TierWrite[]): Promise<void> {
    const last = new Map<string, TierWrite>();
    for (const write of writes) {
      last.delete(write.key);
      last.set(write.key, write);
    }
    await Promise.all([...last.values()].map((write) => this.#queued(write.key, () => this.#set(write))));
  }

  delete(key: string): Promise<boolean> {
    return this.#queued(key, () => this.#deleteObject(this.#valueName(key), 'delete'));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    return (await this.deleteEach(keys)).filter(Boolean).length;
  }

  deleteEach(keys: readonly string[]): Promise<boolean[]> {
    return Promise.all(
      keys.map((key) => this.#queued(key, () => this.#deleteObject(this.#valueName(key), 'delete'))),
    );
  }

  async deleteByTag(tag: string): Promise<number> {
    await drained();
    const area = `${this.#prefix}${TAGS_AREA}${nameSegment(tag)}/`;
    let removed = 0;
    await this.#forEachPage(area, async (markers) => {
      const results = await this.#semaphore.map(markers, async (marker) => {
        const segment = marker.name.slice(area.length);
        const deleted = await this.#deleteIfTagged(`${this.#prefix}${segment}`, tag);
        await this.#deleteObject(marker.name, 'deleteByTag');
        return deleted;
      });
      removed += results.filter(Boolean).length;
    });
    return removed;
  }

  async clear(prefix: string): Promise<number> {
    await drained();
    const now = Date.now();
    const tagsArea = `${this.#prefix}${TAGS_AREA}`;
    let removed = 0;
    await this.#forEachPage(`${this.#prefix}${listPrefix(prefix)}`, async (files) => {
      const own = files.filter((file) => {
        if (file.name.startsWith(tagsArea)) return false;
        const segment = file.name.slice(this.#prefix.length);
        return matchesPrefix(segment, prefix, customMetadata(file)[KEY_METADATA]);
      });
      const results = await this.#semaphore.map(own, async (file) => {
        const deleted = await this.#deleteObject(file.name, 'clear');
        const expiresAt = parseExpiry(customMetadata(file)[EXPIRES_AT_METADATA]);
        return deleted && (expiresAt === undefined || expiresAt > now);
      });
      removed += results.filter(Boolean).length;
    });
    // Tag markers of tags under the prefix (tags are qualified like keys).
    await this.#forEachPage(`${tagsArea}${listPrefix(prefix)}`, async (markers) => {
      await this.#semaphore.map(markers, (marker) => this.#deleteObject(marker.name, 'clear'));
    });
    return removed;
  }

  /** One listing page of value objects under the prefix; the cursor is GCS's page token. */
  async keys(prefix: string, cursor: string | undefined, limit: number): Promise<TierKeysPage> {
    const tagsArea = `${this.#prefix}${TAGS_AREA}`;
    const [files, next] = await this.#request('list', () =>
      this.bucket.getFiles({
        prefix: `${this.#prefix}${listPrefix(prefix)}`,
        maxResults: limit,
        autoPaginate: false,
        ...(cursor !== undefined && { pageToken: cursor }),
      }),
    );
    const keys: string[] = [];
    for (const file of files) {
      if (file.name.startsWith(tagsArea)) continue;
      const segment = file.name.slice(this.#prefix.length);
      const stored = customMetadata(file)[KEY_METADATA];
      if (!matchesPrefix(segment, prefix, stored)) continue;
      keys.push(isLongForm(segment) ? stored! : decodeURIComponent(segment));
    }
    return { keys, cursor: (next as { pageToken?: string } | null | undefined)?.pageToken };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #valueName(key: string): string {
    return `${this.#prefix}${nameSegment(key)}`;
  }

  /** The key's object name as the process-wide queue knows it. */
  #queueName(key: string): string {
    return `gcs:${this.bucket.name}/${this.#valueName(key)}`;
  }

  /** Runs a write or delete of `key` after the ones called before it (holding a request slot only while it runs). */
  #queued<T>(key: string, work: () => Promise<T>): Promise<T> {
    return serialized(this.#queueName(key), () => this.#semaphore.run(work));
  }

  /** Runs a read of `key` after the writes and deletes of it called before. */
  async #afterQueued<T>(key: string, work: () => Promise<T>): Promise<T> {
    const queued = queuedFor(this.#queueName(key));
    if (queued !== undefined) await queued;
    return work();
  }

  async #get(key: string): Promise<Uint8Array | undefined> {
    const name = this.#valueName(key);
    const found = await this.#request('get', () => download(this.bucket.file(name)));
    if (!found) return undefined;
    if (found.expiresAt !== undefined && found.expiresAt <= Date.now()) {
      // Lazy expiry: delete only the generation we read, never a fresher write.
      const generation = found.generation === undefined ? undefined : Number(found.generation);
      this.bucket
        .file(name)
        .delete(generation === undefined ? {} : { ifGenerationMatch: generation })
        .catch(() => {});
      return undefined;
    }
    return found.data;
  }

  async #set(write: TierWrite): Promise<void> {
    const segment = nameSegment(write.key);
    const name = `${this.#prefix}${segment}`;
    const ttl = normaliseTtl(write.ttlMs);
    if (ttl === 0) {
      await this.#deleteObject(name, 'set');
      return;
    }
    const metadata: Record<string, string> = {};
    if (ttl !== undefined) metadata[EXPIRES_AT_METADATA] = String(Date.now() + ttl);
    if (isLongForm(segment)) metadata[KEY_METADATA] = write.key;
    const tags = [...new Set(write.tags ?? [])];
    metadata[TAGS_METADATA] = JSON.stringify(tags); // also when empty: tells it from an object written before
    const bytes = Buffer.from(write.value.buffer, write.value.byteOffset, write.value.byteLength);
    await this.#request('set', () => save(this.bucket.file(name), bytes, metadata, this.#timeoutMs));
    for (const tag of tags) {
      const marker = `${this.#prefix}${TAGS_AREA}${nameSegment(tag)}/${segment}`;
      await this.#request('set (tag marker)', () =>
        save(this.bucket.file(marker), Buffer.alloc(0), metadata, this.#timeoutMs),
      );
    }
  }

  /** Deletes one object (only that generation, when given); true if it was deleted. */
  async #deleteObject(name: string, operation: string, generation?: number): Promise<boolean> {
    try {
      await this.#request(operation, () =>
        this.bucket.file(name).delete(generation === undefined ? {} : { ifGenerationMatch: generation }),
      );
      return true;
    } catch (error) {
      if (error instanceof TierError && (isNotFound(error.cause) || isPreconditionFailed(error.cause)))
        return false;
      throw error;
    }
  }

  /**
   * deleteByTag's removal of one value: a marker may outlive the tagging write (the key was written again
   * without the tag), so the value goes only if it still carries the tag, and only the generation checked.
   * Values written before tags were kept in metadata carry none and go as before.
   */
  async #deleteIfTagged(name: string, tag: string): Promise<boolean> {
    let meta: { generation?: string | number; metadata?: Record<string, unknown> | null };
    try {
      [meta] = await this.#request('deleteByTag', () => this.bucket.file(name).getMetadata());
    } catch (error) {
      if (error instanceof TierError && isNotFound(error.cause)) return false;
      throw error;
    }
    const stored = meta.metadata?.[TAGS_METADATA];
    if (typeof stored === 'string') {
      let tags: unknown;
      try {
        tags = JSON.parse(stored);
      } catch {
        tags = undefined;
      }
      if (Array.isArray(tags) && !tags.includes(tag)) return false;
    }
    const generation = meta.generation === undefined ? undefined : Number(meta.generation);
    return this.#deleteObject(name, 'deleteByTag', generation);
  }

  async #forEachPage(prefix: string, onPage: (files: File[]) => Promise<void>): Promise<void> {
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.#request('list', () =>
        this.bucket.getFiles({ prefix, maxResults: LIST_PAGE, autoPaginate: false, pageToken }),
      );
      if (files.length > 0) await onPage(files);
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }

  async #request<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new TierError('GCS', `GCS ${operation} called after close(); create a new tier`);
    try {
      return await this.#deadlines.track(work(), `GCS ${operation}`);
    } catch (error) {
      throw toTierError(
        'GCS',
        operation,
        error,
        `check bucket "${this.bucket.name}" exists and is reachable with these credentials, or raise requestTimeoutMs`,
      );
    }
  }
}

function download(file: File): Promise<Downloaded | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let expiresAt: number | undefined;
    let generation: string | undefined;
    file
      .createReadStream()
      .on('response', (response: { headers?: Record<string, string | string[] | undefined> }) => {
        const headers = response.headers ?? {};
        expiresAt = parseExpiry(headerValue(headers[EXPIRES_AT_HEADER]));
        generation = headerValue(headers['x-goog-generation']);
      })
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('error', (error: unknown) => (isNotFound(error) ? resolve(undefined) : reject(error)))
      .on('end', () => resolve({ data: Buffer.concat(chunks), expiresAt, generation }));
  });
}

/** A simple upload, cancelled after `timeoutMs` (the client's default for uploads is to wait for ever). */
async function save(
  file: File,
  bytes: Buffer,
  metadata: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  await file.save(bytes, {
    resumable: false,
    timeout: timeoutMs,
    contentType: 'application/octet-stream',
    metadata: { metadata },
  });
}

function customMetadata(file: File): Record<string, string | undefined> {
  const metadata = file.metadata?.metadata;
  return (metadata ?? {}) as Record<string, string | undefined>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseExpiry(value: string | number | null | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 412;
}

/** L3 tier on Google Cloud Storage: `gcsTier({ bucket: 'my-cache', prefix: 'omnicache/' })`. */
export function gcsTier(options: GcsTierOptions): GcsTier {
  return new GcsTier(options);
}

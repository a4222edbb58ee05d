import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { ConfigError, TierError } from '../../errors.js';
import { DeadlineQueue } from '../../resilience/deadline-queue.js';
import { checkTimerMs, withTimeout } from '../../resilience/timeout.js';
import { toTierError } from '../shared/tier-error.js';
import { normaliseTtl } from '../shared/ttl.js';
import { nextWriteToken } from '../shared/write-token.js';
import type { Tier, TierKeysPage, TierKind, TierRead, TierSetOptions, TierWrite } from '../tier.js';
import { calculateSlot } from './ioredis.js';
import { escapeGlob, tagKey, valueKey } from './key-layout.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_TOMBSTONE_MS, type RedisTierCommonOptions } from './options.js';
import { RedisLock, type RedisLockOptions } from './redis-lock.js';
import { SET_IF_UNCHANGED_SCRIPT, TAG_ADD_SCRIPT, TAG_DELETE_SCRIPT, TOMBSTONE_SCRIPT } from './scripts.js';
import {
  FRAME_MAGIC,
  FRAME_MAGIC_V2,
  frameContent,
  frameValue,
  parseFrame,
  TOMBSTONE_MAGIC,
  tombstoneFrame,
} from './tag-frame.js';

/** One single-key command in a batch; batches are grouped by the node that owns the key. */
interface Op {
  key: string;
  add(pipeline: ChainableCommander): void;
  /** Sent instead when Redis answered NOSCRIPT to `add` (EVALSHA of a script it does not know: EVAL it). */
  retry?(pipeline: ChainableCommander): void;
}

const SCAN_COUNT = 1000;
const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SET_IF_UNCHANGED_SHA = sha1(SET_IF_UNCHANGED_SCRIPT);
const TOMBSTONE_SHA = sha1(TOMBSTONE_SCRIPT);
const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT');
const TAG_POP_COUNT = 1000;

/**
 * L2 tier over ioredis, single node or Cluster. Values are stored as raw bytes with PX expiry; tags are sets of
 * member keys whose TTL covers the longest-lived member. Batches (getMany/setMany/deleteMany) are pipelined:
 * on a Cluster, one pipeline per node (ioredis accepts a pipeline whose keys are served by the same nodes).
 *
 * Conditional writes (tier.ts): each value carries its write's token (tag-frame.ts) and a key delete replaces the
 * value with a tombstone living `tombstoneMs`, in the same key, so the compare-and-set script (scripts.ts) touches
 * one key and works on a Cluster as on one node. Both scripts run by EVALSHA; after a NOSCRIPT (Redis restarted or
 * flushed its scripts, a new Cluster node) they are sent again with EVAL, which may put them after a later call of
 * this process for the key: a conditional write then compares with the newer state (refused at worst), a tombstone
 * may then replace a newer value (a miss at worst, never an older value).
 */
export class RedisTier implements Tier {
  readonly kind: TierKind;
  readonly client: Redis | Cluster;
  readonly #owned: boolean;
  readonly #cluster: Cluster | undefined;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #deadlines: DeadlineQueue;
  readonly callTimeoutMs: number;
  readonly #failFast: boolean;
  readonly #label: string;
  /** Lifetime of delete tombstones in ms; 0 = none (deletes UNLINK, no conditional writes). */
  readonly tombstoneMs: number;
  #everReady: boolean;
  #closed = false;

  constructor(
    client: Redis | Cluster,
    options: RedisTierCommonOptions & { owned: boolean; cluster: Cluster | undefined },
  ) {
    this.client = client;
    this.#cluster = options.cluster;
    this.kind = options.cluster ? 'redis-cluster' : 'redis';
    this.#label = options.cluster ? 'Redis Cluster' : 'Redis';
    this.#owned = options.owned;
    this.#prefix = options.keyPrefix ?? '';
    this.#timeoutMs = checkTimerMs(
      `${this.#label} commandTimeoutMs`,
      options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    );
    this.#deadlines = new DeadlineQueue(this.#timeoutMs);
    this.callTimeoutMs = this.#timeoutMs;
    this.#failFast = options.failFastWhenDisconnected ?? true;
    const tombstoneMs = options.tombstoneMs ?? DEFAULT_TOMBSTONE_MS;
    if (tombstoneMs !== 0) checkTimerMs(`${this.#label} tombstoneMs`, tombstoneMs);
    this.tombstoneMs = tombstoneMs;
    const clientPrefix = (client.options as { keyPrefix?: unknown }).keyPrefix;
    if (typeof clientPrefix === 'string' && clientPrefix !== '') {
      throw new ConfigError(
        `the ioredis client has keyPrefix "${clientPrefix}"; remove it from the client and pass { keyPrefix } to the tier instead (SCAN-based clear() cannot work with a client-side prefix)`,
      );
    }
    this.#everReady = client.status === 'ready';
    client.on('ready', () => {
      this.#everReady = true;
    });
    // An unhandled 'error' event would crash the process; connection errors surface through the calls instead.
    if (options.owned) client.on('error', () => {});
  }

  /** A DistributedLock over this tier's connection (SET NX PX + compare-and-delete release). */
  lock(options: Omit<RedisLockOptions, 'keyPrefix'> = {}): RedisLock {
    return new RedisLock(this.client, {
      commandTimeoutMs: this.#timeoutMs,
      ...options,
      keyPrefix: this.#prefix,
    });
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#call('GET', async () => {
      const value = await this.client.getBuffer(valueKey(this.#prefix, key));
      return value === null ? undefined : frameContent(value);
    });
  }

  read(key: string): Promise<TierRead> {
    return this.#call('GET', async () => {
      const value = await this.client.getBuffer(valueKey(this.#prefix, key));
      return value === null ? { value: undefined, state: '' } : parseFrame(value);
    });
  }

  /** The conditional write script (EVALSHA, EVAL when Redis does not know it), then the tag sets if it wrote. */
  setIfUnchanged(write: TierWrite, expected: string): Promise<boolean> {
    return this.#call('EVALSHA (set if unchanged)', async () => {
      const k = valueKey(this.#prefix, write.key);
      const ttl = normaliseTtl(write.ttlMs);
      if (ttl === 0) return false;
      const args = [
        FRAME_MAGIC_V2,
        TOMBSTONE_MAGIC,
        expected,
        frameValue(write.tags, write.value, nextWriteToken()),
        ttl ?? -1,
      ];
      let written: unknown;
      try {
        written = await this.client.evalsha(SET_IF_UNCHANGED_SHA, 1, k, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        written = await this.client.eval(SET_IF_UNCHANGED_SCRIPT, 1, k, ...args);
      }
      if (written !== 1) return false;
      const tags = write.tags ?? [];
      if (tags.length > 0) {
        await this.#exec(
          tags.map((tag): Op => {
            const t = tagKey(this.#prefix, tag);
            return { key: t, add: (p) => p.eval(TAG_ADD_SCRIPT, 1, t, k, ttl ?? -1) };
          }),
        );
      }
      return true;
    });
  }

  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#call('GET (batch)', async () => {
      const ops = keys.map((key): Op => {
        const k = valueKey(this.#prefix, key);
        return { key: k, add: (p) => p.getBuffer(k) };
      });
      const results = await this.#exec(ops);
      return results.map((value) => (Buffer.isBuffer(value) ? frameContent(value) : undefined));
    });
  }

  set(key: string, value: Uint8Array, options: TierSetOptions): Promise<void> {
    return this.setMany([{ key, value, ...options }]);
  }

  setMany(writes: readonly TierWrite[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    return this.#call('SET', async () => {
      const ops: Op[] = [];
      for (const write of writes) {
        const k = valueKey(this.#prefix, write.key);
        const ttl = normaliseTtl(write.ttlMs);
        if (ttl === 0) {
          ops.push({ key: k, add: (p) => p.unlink(k) });
          continue;
        }
        const bytes = frameValue(write.tags, write.value, nextWriteToken());
        ops.push({
          key: k,
          add: ttl === undefined ? (p) => p.set(k, bytes) : (p) => p.set(k, bytes, 'PX', ttl),
        });
        for (const tag of write.tags ?? []) {
          const t = tagKey(this.#prefix, tag);
          ops.push({ key: t, add: (p) => p.eval(TAG_ADD_SCRIPT, 1, t, k, ttl ?? -1) });
        }
      }
      await this.#exec(ops);
    });
  }

  delete(key: string): Promise<boolean> {
    if (this.tombstoneMs > 0) return this.deleteEach([key]).then((each) => each[0] === true);
    return this.#call('UNLINK', async () => (await this.client.unlink(valueKey(this.#prefix, key))) > 0);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.tombstoneMs > 0) return (await this.deleteEach(keys)).filter(Boolean).length;
    return this.#call('UNLINK (batch)', () => this.#unlink(keys.map((key) => valueKey(this.#prefix, key))));
  }

  /**
   * Per key, pipelined (one pipeline per node on a Cluster): the tombstone script (a key that was not there gets
   * one too), or UNLINK without tombstones. True where a value was there.
   */
  deleteEach(keys: readonly string[]): Promise<boolean[]> {
    if (keys.length === 0) return Promise.resolve([]);
    const tombstones = this.tombstoneMs > 0;
    return this.#call(tombstones ? 'EVALSHA (tombstone)' : 'UNLINK (batch)', async () => {
      const tomb = tombstones ? tombstoneFrame(nextWriteToken()) : undefined;
      const ops = keys.map((key): Op => {
        const k = valueKey(this.#prefix, key);
        if (tomb === undefined) return { key: k, add: (p) => p.unlink(k) };
        const args = [tomb, this.tombstoneMs, TOMBSTONE_MAGIC] as const;
        return {
          key: k,
          add: (p) => p.evalsha(TOMBSTONE_SHA, 1, k, ...args),
          retry: (p) => p.eval(TOMBSTONE_SCRIPT, 1, k, ...args),
        };
      });
      return (await this.#exec(ops)).map((n) => n === 1);
    });
  }

  /** SMEMBERS of the tag set, without the tier's key prefix (members may have expired since; deleting them is harmless). */
  tagMembers(tag: string): Promise<string[]> {
    return this.#call('SMEMBERS', async () => {
      const members = await this.client.smembers(tagKey(this.#prefix, tag));
      const n = this.#prefix.length;
      return n === 0 ? members : members.filter((m) => m.startsWith(this.#prefix)).map((m) => m.slice(n));
    });
  }

  /**
   * Pops members in chunks (atomic per chunk, so writes racing with the delete are either removed or kept whole),
   * then removes each member whose value still carries the tag (a script per key, see tag-frame.ts): a key
   * written again without the tag stays.
   */
  async deleteByTag(tag: string): Promise<number> {
    this.#assertUsable('SPOP');
    const t = tagKey(this.#prefix, tag);
    let removed = 0;
    for (;;) {
      const members = await this.#call('SPOP', () => this.client.spop(t, TAG_POP_COUNT));
      if (members.length === 0) return removed;
      const ops = members.map(
        (m): Op => ({
          key: m,
          add: (p) => p.eval(TAG_DELETE_SCRIPT, 1, m, tag, FRAME_MAGIC, FRAME_MAGIC_V2, TOMBSTONE_MAGIC),
        }),
      );
      const results = await this.#call('EVAL (tag delete)', () => this.#exec(ops));
      for (const n of results) if (n === 1) removed++;
    }
  }

  /** SCAN MATCH on one master at a time (sorted by address, so a saved cursor resumes on the same node). */
  async keys(prefix: string, cursor: string | undefined, limit: number): Promise<TierKeysPage> {
    this.#assertUsable('SCAN');
    const nodes = this.#cluster
      ? this.#cluster
          .nodes('master')
          .sort((a, b) =>
            `${a.options.host}:${a.options.port}`.localeCompare(`${b.options.host}:${b.options.port}`),
          )
      : [this.client as Redis];
    const m = cursor === undefined ? undefined : /^(\d+):(\d+)$/.exec(cursor);
    if (cursor !== undefined && m === null)
      throw new TierError(this.#label, `keys(): cursor "${cursor}" is not one this tier returned`);
    const node = Number(m?.[1] ?? 0);
    const at = m?.[2] ?? '0';
    if (node >= nodes.length) return { keys: [], cursor: undefined };
    const pattern = `${escapeGlob(valueKey(this.#prefix, prefix))}*`;
    const [next, found] = await this.#call('SCAN', () =>
      nodes[node]!.scan(at, 'MATCH', pattern, 'COUNT', limit),
    );
    const keys = found.map((k) => k.slice(this.#prefix.length));
    if (next !== '0') return { keys, cursor: `${node}:${next}` };
    return { keys, cursor: node + 1 < nodes.length ? `${node + 1}:0` : undefined };
  }

  /** SCAN MATCH on every master + UNLINK in batches; also drops the tag sets of tags under the prefix (first). */
  async clear(prefix: string): Promise<number> {
    this.#assertUsable('SCAN');
    const nodes = this.#cluster ? this.#cluster.nodes('master') : [this.client as Redis];
    const valuePattern = `${escapeGlob(valueKey(this.#prefix, prefix))}*`;
    const tagPattern = `${escapeGlob(tagKey(this.#prefix, prefix))}*`;
    const counts = await Promise.all(
      nodes.map(async (node) => {
        // Tag sets first: a value written while the clear runs then either is found by the value scan
        // (it existed before that scan started) or keeps its tag membership (added after the tag sets went).
        await this.#scanAndUnlink(node, tagPattern);
        return this.#scanAndUnlink(node, valuePattern);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    try {
      await withTimeout(this.client.quit(), Math.max(this.#timeoutMs, 1000), `${this.#label} QUIT`);
    } catch {
      this.client.disconnect();
    }
  }

  async #scanAndUnlink(node: Redis, pattern: string): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.#call('SCAN', () =>
        node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
      );
      cursor = next;
      if (keys.length > 0) removed += await this.#call('UNLINK (batch)', () => this.#unlink(keys));
    } while (cursor !== '0');
    return removed;
  }

  async #unlink(fullKeys: readonly string[]): Promise<number> {
    if (fullKeys.length === 0) return 0;
    if (!this.#cluster) return (this.client as Redis).unlink(...fullKeys);
    const results = await this.#exec(fullKeys.map((k): Op => ({ key: k, add: (p) => p.unlink(k) })));
    return results.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  }

  /** Runs single-key commands pipelined: one pipeline on a single node, one per owning node on a Cluster. */
  async #exec(ops: readonly Op[]): Promise<unknown[]> {
    const results: unknown[] = new Array(ops.length);
    const groups = this.#group(ops, false);
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        try {
          await this.#runPipeline(ops, indexes, results);
        } catch (error) {
          // The slot map changed between grouping and sending: retry this group one slot at a time.
          if (!(error instanceof Error) || !/same slots allocation group/.test(error.message)) throw error;
          const bySlot = this.#group(
            indexes.map((i) => ops[i]!),
            true,
          );
          await Promise.all(
            [...bySlot.values()].map((local) =>
              this.#runPipeline(
                ops,
                local.map((j) => indexes[j]!),
                results,
              ),
            ),
          );
        }
      }),
    );
    return results;
  }

  async #runPipeline(ops: readonly Op[], indexes: readonly number[], results: unknown[]): Promise<void> {
    const pipeline = this.client.pipeline();
    for (const i of indexes) ops[i]!.add(pipeline);
    const replies = await pipeline.exec();
    if (!replies) throw new Error('pipeline was discarded');
    const again: number[] = [];
    replies.forEach(([error, value], j) => {
      const i = indexes[j]!;
      if (error && ops[i]!.retry !== undefined && isNoScript(error)) again.push(i);
      else if (error) throw error;
      else results[i] = value;
    });
    if (again.length === 0) return;
    const retry = this.client.pipeline();
    for (const i of again) ops[i]!.retry!(retry);
    const replies2 = await retry.exec();
    if (!replies2) throw new Error('pipeline was discarded');
    replies2.forEach(([error, value], j) => {
      if (error) throw error;
      results[again[j]!] = value;
    });
  }

  #group(ops: readonly Op[], bySlot: boolean): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    if (!this.#cluster) {
      groups.set(
        '',
        ops.map((_, i) => i),
      );
      return groups;
    }
    const slots = this.#cluster.slots;
    ops.forEach((op, i) => {
      const slot = calculateSlot(op.key);
      const owner = bySlot ? `s${slot}` : (slots[slot]?.join(',') ?? `s${slot}`);
      const group = groups.get(owner);
      if (group) group.push(i);
      else groups.set(owner, [i]);
    });
    return groups;
  }

  #assertUsable(operation: string): void {
    if (this.#closed) {
      throw new TierError(this.#label, `${this.#label} ${operation} called after close(); create a new tier`);
    }
    const status = this.client.status;
    if (this.#failFast && this.#everReady && status !== 'ready') {
      throw new TierError(
        this.#label,
        `${this.#label} ${operation} failed fast: the connection is ${status}; the cache serves other tiers until it reconnects`,
      );
    }
  }

  async #call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    this.#assertUsable(operation);
    try {
      return await this.#deadlines.track(work(), `${this.#label} ${operation}`);
    } catch (error) {
      throw toTierError(
        this.#label,
        operation,
        error,
        'check that Redis is reachable, or raise commandTimeoutMs if it is just slow',
      );
    }
  }
}

import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { DistributedLock, LockHandle } from '../../resilience/distributed-lock.js';
import { withTimeout } from '../../resilience/timeout.js';
import { toTierError } from '../shared/tier-error.js';
import { lockKey } from './key-layout.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './options.js';
import { COMPARE_AND_DELETE_SCRIPT } from './scripts.js';

export interface RedisLockOptions {
  /** Prepended to lock keys (default ''); locks live at `${keyPrefix}__omnicache:lock:${name}`. */
  keyPrefix?: string;
  /** Budget for one lock command in ms (default 500). */
  commandTimeoutMs?: number;
}

/**
 * DistributedLock over Redis (single node or Cluster: every command touches one key).
 * Acquire: SET key token NX PX ttl with a random token. Release: compare-and-delete in Lua, so an expired
 * holder can never release a lock that someone else took after it.
 */
export class RedisLock implements DistributedLock {
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(client: Redis | Cluster, options: RedisLockOptions = {}) {
    this.#client = client;
    this.#prefix = options.keyPrefix ?? '';
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async tryAcquire(name: string, ttlMs: number): Promise<LockHandle | undefined> {
    const key = lockKey(this.#prefix, name);
    const token = randomBytes(16).toString('hex');
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const reply = await this.#call('lock SET NX', () => this.#client.set(key, token, 'PX', ttl, 'NX'));
    if (reply !== 'OK') return undefined;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.#call('lock release', () => this.#client.eval(COMPARE_AND_DELETE_SCRIPT, 1, key, token));
      },
    };
  }

  async #call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(work(), this.#timeoutMs, `Redis ${operation}`);
    } catch (error) {
      throw toTierError(
        'Redis',
        operation,
        error,
        'check that Redis is reachable; the cache falls back to loading locally',
      );
    }
  }
}

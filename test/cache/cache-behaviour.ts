// One behavioural suite for the tiered cache, run against every tier combination with real servers.
// Every test uses its own random cache name, so runs and tests never see each other's keys.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Cache,
  type CacheConfig,
  createCache,
  LoaderError,
  type Tier,
} from '../../sdk/core/src/index.js';

export interface TierSet {
  l2?: Tier;
  l3?: Tier;
  /** More configuration for every instance (e.g. encryption). */
  config?: Partial<CacheConfig>;
  cleanup?: () => Promise<void>;
}

export function describeCacheBehaviour(label: string, createTiers: () => Promise<TierSet>): void {
  describe(`tiered cache: ${label}`, () => {
    let tiers: TierSet;
    let remote: boolean;
    const created: Cache[] = [];
    const name = () => `omc-${randomBytes(5).toString('hex')}`;
    /** A cache instance; instances with the same name share remote tiers like processes would. */
    const open = (cacheName: string, extra: Partial<CacheConfig> = {}): Cache => {
      const cache = createCache({
        name: cacheName,
        l1: { capacity: 1000 },
        ...(tiers.l2 ? { l2: { tier: tiers.l2, timeoutMs: 5000 } } : {}),
        ...(tiers.l3 ? { l3: { tier: tiers.l3, timeoutMs: 5000 } } : {}),
        ...tiers.config,
        ...extra,
      });
      created.push(cache);
      return cache;
    };

    beforeAll(async () => {
      tiers = await createTiers();
      remote = tiers.l2 !== undefined || tiers.l3 !== undefined;
    });
    afterAll(async () => {
      await tiers?.l2?.close();
      await tiers?.l3?.close();
      await tiers?.cleanup?.();
    });

    it('set/get round-trips rich values and expires them after ttl', async () => {
      const n = name();
      const a = open(n);
      const value = {
        d: new Date(1_700_000_000_000),
        m: new Map([['k', new Set([1n])]]),
        b: Buffer.from('hi'),
      };
      await a.set('k', value, { ttl: 400 });
      expect(await a.get('k')).toEqual(value);
      if (remote) expect(await open(n).get('k')).toEqual(value);
      await sleep(550);
      expect(await a.get('k')).toBeUndefined();
      expect(await open(n).get('k')).toBeUndefined();
    });

    it('deleteByTag removes tagged keys in every tier', async () => {
      const n = name();
      const a = open(n);
      await a.set('u1', 1, { tags: ['users'] });
      await a.set('u2', 2, { tags: ['users', 'vip'] });
      await a.set('p1', 3, { tags: ['products'] });
      expect(await a.deleteByTag('users')).toBeGreaterThanOrEqual(2);
      for (const c of remote ? [a, open(n)] : [a])
        expect(await c.getMany(['u1', 'u2', 'p1'])).toEqual([undefined, undefined, 3]);
    });

    it('namespaces are isolated and clear() on a namespace clears it in every tier', async () => {
      const n = name();
      const a = open(n);
      await a.set('1', 'root');
      await a.namespace('users').set('1', 'user');
      await a.namespace('users').namespace('admins').set('1', 'admin');
      await a.namespace('users2').set('1', 'other');
      await a.namespace('users').clear();
      const b = remote ? open(n) : a;
      for (const c of [a, b]) {
        expect(await c.get('1')).toBe('root');
        expect(await c.namespace('users').get('1')).toBeUndefined();
        expect(await c.namespace('users').namespace('admins').get('1')).toBeUndefined();
        expect(await c.namespace('users2').get('1')).toBe('other');
      }
      await a.clear();
      for (const c of remote ? [a, open(n)] : [a]) {
        expect(await c.get('1')).toBeUndefined();
        expect(await c.namespace('users2').get('1')).toBeUndefined();
      }
    });

    it('a hit in a lower tier is promoted into L1', async () => {
      if (!remote) return;
      const n = name();
      await open(n).set('k', 'v', { ttl: 60_000 });
      const b = open(n);
      expect(await b.get('k')).toBe('v');
      const promoted = b
        .stats()
        .movements.filter((m) => m.to === 'l1')
        .reduce((s, m) => s + m.count, 0);
      expect(promoted).toBe(1);
      expect(await b.get('k')).toBe('v');
      expect(b.stats().tiers.l1.hits).toBe(1);
    });

    it('single-flight: 50 concurrent getOrSet on a cold key call the loader once', async () => {
      const a = open(name());
      let calls = 0;
      const loader = async () => {
        calls++;
        await sleep(50);
        return { loaded: true };
      };
      const results = await Promise.all(Array.from({ length: 50 }, () => a.getOrSet('cold', loader)));
      expect(results.every((r) => r.loaded)).toBe(true);
      expect(calls).toBe(1);
      expect(a.stats().loader.coalesced).toBe(49);
    });

    it('grace: when the loader fails, the stale value is served (from L1 or a remote tier)', async () => {
      const n = name();
      const opts = { ttl: 200, grace: 60_000 };
      const a = open(n);
      expect(await a.getOrSet('k', () => 'v1', opts)).toBe('v1');
      await sleep(300);
      const fail = async (): Promise<string> => {
        throw new Error('database down');
      };
      expect(await a.getOrSet('k', fail, opts)).toBe('v1');
      expect(a.stats().stale.grace).toBe(1);
      if (remote) {
        const b = open(n);
        expect(await b.getOrSet('k', fail, opts)).toBe('v1');
      }
      await expect(open(n).getOrSet('never', fail, opts)).rejects.toThrow(LoaderError);
    });
  });
}

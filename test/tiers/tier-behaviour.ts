// One behavioural suite for every Tier implementation (redis, redis cluster, gcs, fs), written once and run
// against each real backend. Every test works under its own random prefix, so runs never see each other's keys.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tier } from '../../sdk/core/src/tiers/tier.js';

export interface TierFixture {
  tier: Tier;
  /** Called once after the suite (close clients, remove directories). */
  cleanup?: () => Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);
const MINUTE = 60_000;

export function describeTierBehaviour(label: string, create: () => Promise<TierFixture>): void {
  describe(`Tier behaviour: ${label}`, () => {
    let fixture: TierFixture;
    let tier: Tier;
    const ns = () => `omc-test:${randomBytes(6).toString('hex')}:`;

    beforeAll(async () => {
      fixture = await create();
      tier = fixture.tier;
    });
    afterAll(async () => {
      await fixture?.tier.close();
      await fixture?.cleanup?.();
    });

    it('reads a missing key as undefined', async () => {
      expect(await tier.get(`${ns()}missing`)).toBeUndefined();
    });

    it('sets, gets and overwrites a value', async () => {
      const key = `${ns()}k`;
      await tier.set(key, bytes('one'), { ttlMs: MINUTE });
      expect(text(await tier.get(key))).toBe('one');
      await tier.set(key, bytes('two'), { ttlMs: MINUTE });
      expect(text(await tier.get(key))).toBe('two');
    });

    it('stores keys with any characters', async () => {
      const p = ns();
      const keys = [
        `${p}a/b/c`,
        `${p}spaces and tabs\t`,
        `${p}ünïcødé-🗝`,
        `${p}{hash}tag`,
        `${p}*?[glob]\\`,
        `${p}%2F`,
      ];
      await tier.setMany(keys.map((key, i) => ({ key, value: bytes(`v${i}`), ttlMs: MINUTE })));
      expect((await tier.getMany(keys)).map(text)).toEqual(keys.map((_, i) => `v${i}`));
      expect(await tier.get(`${p}a%2Fb%2Fc`)).toBeUndefined();
    });

    it('getMany keeps the order of the keys and reports misses', async () => {
      const p = ns();
      const keys = Array.from({ length: 120 }, (_, i) => `${p}key-${i}`);
      await tier.setMany(
        keys.filter((_, i) => i % 3 !== 0).map((key) => ({ key, value: bytes(key), ttlMs: MINUTE })),
      );
      const values = await tier.getMany(keys);
      expect(values).toHaveLength(keys.length);
      values.forEach((value, i) => {
        expect(text(value)).toBe(i % 3 === 0 ? undefined : keys[i]);
      });
      expect(await tier.getMany([])).toEqual([]);
    });

    it('deletes single keys and batches, reporting what existed', async () => {
      const p = ns();
      const keys = Array.from({ length: 30 }, (_, i) => `${p}d-${i}`);
      await tier.setMany(keys.map((key) => ({ key, value: bytes('x'), ttlMs: MINUTE })));
      expect(await tier.delete(keys[0]!)).toBe(true);
      expect(await tier.delete(keys[0]!)).toBe(false);
      expect(await tier.get(keys[0]!)).toBeUndefined();
      expect(await tier.deleteMany([...keys, `${p}never-set`])).toBe(keys.length - 1);
      expect((await tier.getMany(keys)).every((v) => v === undefined)).toBe(true);
      expect(await tier.deleteMany([])).toBe(0);
    });

    it('deleteByTag removes every key written with the tag and nothing else', async () => {
      const p = ns();
      await tier.setMany([
        { key: `${p}a1`, value: bytes('a1'), ttlMs: MINUTE, tags: [`${p}tag:a`] },
        { key: `${p}a2`, value: bytes('a2'), ttlMs: MINUTE, tags: [`${p}tag:a`, `${p}tag:b`] },
        { key: `${p}b1`, value: bytes('b1'), ttlMs: MINUTE, tags: [`${p}tag:b`] },
        { key: `${p}plain`, value: bytes('plain'), ttlMs: MINUTE },
      ]);
      await tier.set(`${p}a3`, bytes('a3'), { ttlMs: MINUTE, tags: [`${p}tag:a`] });
      expect(await tier.deleteByTag(`${p}tag:a`)).toBe(3);
      expect((await tier.getMany([`${p}a1`, `${p}a2`, `${p}a3`])).every((v) => v === undefined)).toBe(true);
      expect(text(await tier.get(`${p}b1`))).toBe('b1');
      expect(text(await tier.get(`${p}plain`))).toBe('plain');
      expect(await tier.deleteByTag(`${p}tag:a`)).toBe(0);
      expect(await tier.deleteByTag(`${p}tag:b`)).toBe(1);
      expect(await tier.get(`${p}b1`)).toBeUndefined();
      expect(await tier.deleteByTag(`${p}tag:never-used`)).toBe(0);
    });

    it('writes and deletes of one key land in call order, even unawaited; setMany keeps the last write', async () => {
      const p = ns();
      const keys = Array.from({ length: 20 }, (_, i) => `${p}k${i}`);
      await Promise.all(
        keys.flatMap((k, i) => [
          tier.set(k, bytes('first'), { ttlMs: MINUTE }),
          ...(i % 2 === 0 ? [tier.delete(k)] : []),
          tier.set(k, bytes('second'), { ttlMs: MINUTE }),
          ...(i % 2 === 1 ? [tier.delete(k)] : []),
        ]),
      );
      const values = (await tier.getMany(keys)).map(text);
      expect(values).toEqual(keys.map((_, i) => (i % 2 === 0 ? 'second' : undefined)));
      await tier.setMany([
        { key: `${p}dup`, value: bytes('a'), ttlMs: MINUTE },
        { key: `${p}dup`, value: bytes('b'), ttlMs: MINUTE },
      ]);
      expect(text(await tier.get(`${p}dup`))).toBe('b');
    });

    it('deleteByTag leaves a key that was written again without the tag (or with other tags)', async () => {
      const p = ns();
      await tier.set(`${p}k`, bytes('tagged'), { ttlMs: MINUTE, tags: [`${p}tag`] });
      await tier.set(`${p}k`, bytes('untagged'), { ttlMs: MINUTE });
      await tier.set(`${p}k2`, bytes('tagged'), { ttlMs: MINUTE, tags: [`${p}tag`, `${p}tag-b`] });
      await tier.setMany([{ key: `${p}k2`, value: bytes('retagged'), ttlMs: MINUTE, tags: [`${p}tag-b`] }]);
      await tier.set(`${p}other`, bytes('o'), { ttlMs: MINUTE, tags: [`${p}x`, `${p}tag`] });
      expect(await tier.deleteByTag(`${p}tag`)).toBe(1);
      expect(text(await tier.get(`${p}k`))).toBe('untagged');
      expect(text(await tier.get(`${p}k2`))).toBe('retagged');
      expect(await tier.get(`${p}other`)).toBeUndefined();
      expect(await tier.deleteByTag(`${p}tag-b`)).toBe(1);
      expect(await tier.get(`${p}k2`)).toBeUndefined();
    });

    it('a tag outlives its shortest member: a long-lived member is still deleted by tag', async () => {
      const p = ns();
      await tier.set(`${p}short`, bytes('short'), { ttlMs: 150, tags: [`${p}t`] });
      await tier.set(`${p}long`, bytes('long'), { ttlMs: MINUTE, tags: [`${p}t`] });
      await sleep(400);
      expect(await tier.get(`${p}short`)).toBeUndefined();
      expect(await tier.deleteByTag(`${p}t`)).toBe(1);
      expect(await tier.get(`${p}long`)).toBeUndefined();
    });

    it('clear(prefix) removes exactly the keys under the prefix, also with glob characters in it', async () => {
      const p = ns();
      const inside = [`${p}ns[*]?:1`, `${p}ns[*]?:2`, `${p}ns[*]?:sub:3`];
      const outside = [`${p}ns[x]?:1`, `${p}ns:1`, `${p}other`, `${p}ns[*]`];
      await tier.setMany([...inside, ...outside].map((key) => ({ key, value: bytes(key), ttlMs: MINUTE })));
      expect(await tier.clear(`${p}ns[*]?:`)).toBe(inside.length);
      expect((await tier.getMany(inside)).every((v) => v === undefined)).toBe(true);
      expect((await tier.getMany(outside)).map(text)).toEqual(outside);
      expect(await tier.clear(p)).toBe(outside.length);
      expect((await tier.getMany(outside)).every((v) => v === undefined)).toBe(true);
    });

    it('clear(prefix) on many keys works in batches', async () => {
      const p = ns();
      const keys = Array.from({ length: 1500 }, (_, i) => `${p}bulk:${i}`);
      for (let i = 0; i < keys.length; i += 500) {
        await tier.setMany(keys.slice(i, i + 500).map((key) => ({ key, value: bytes('v'), ttlMs: MINUTE })));
      }
      expect(await tier.clear(`${p}bulk:`)).toBe(keys.length);
      expect(await tier.get(keys[777]!)).toBeUndefined();
    });

    it('keys(prefix) pages through exactly the keys under the prefix, resumable from a saved cursor', async () => {
      const p = ns();
      const inside = Array.from({ length: 230 }, (_, i) => `${p}in[*]:${i}`);
      inside.push(`${p}in[*]:${'long-'.repeat(120)}`, `${p}in[*]:ünï/ç ode`);
      const outside = [`${p}in[x]:1`, `${p}other`];
      await tier.setMany(
        [...inside, ...outside].map((key) => ({
          key,
          value: bytes('v'),
          ttlMs: MINUTE,
          tags: [`${p}in[*]:tag`],
        })),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        // every page starts from a cursor that went through JSON, as a checkpoint file stores it
        const page = await tier.keys!(
          `${p}in[*]:`,
          cursor === undefined ? undefined : JSON.parse(JSON.stringify(cursor)),
          50,
        );
        seen.push(...page.keys);
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined && pages < 1000);
      expect(pages).toBeGreaterThan(1);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...inside].sort());
    });

    it('expires values after their TTL', async () => {
      const p = ns();
      await tier.set(`${p}short`, bytes('short'), { ttlMs: 300 });
      await tier.setMany([{ key: `${p}short-batch`, value: bytes('sb'), ttlMs: 300 }]);
      await tier.set(`${p}long`, bytes('long'), { ttlMs: MINUTE });
      expect(text(await tier.get(`${p}short`))).toBe('short');
      await sleep(700);
      expect(await tier.get(`${p}short`)).toBeUndefined();
      expect((await tier.getMany([`${p}short-batch`, `${p}long`])).map(text)).toEqual([undefined, 'long']);
    });

    it('a TTL of zero or less stores nothing (and removes an older value)', async () => {
      const p = ns();
      await tier.set(`${p}k`, bytes('old'), { ttlMs: MINUTE });
      await tier.set(`${p}k`, bytes('new'), { ttlMs: 0 });
      expect(await tier.get(`${p}k`)).toBeUndefined();
    });

    // Conditional writes (tier.ts): Redis, Redis Cluster and fs. A tier without tombstones (GCS) offers none, and
    // the cache writes back to it unconditionally (only when its conditional tiers accepted: write-back.ts).
    const conditional = (): boolean => {
      if ((tier.tombstoneMs ?? 0) > 0) return true;
      expect(tier.setIfUnchanged).toBeUndefined();
      expect(tier.read).toBeUndefined();
      return false;
    };
    it('read names the state: nothing, a write, a delete tombstone (also for a key that was not there)', async () => {
      if (!conditional()) return;
      const p = ns();
      const empty = await tier.read!(`${p}k`);
      expect(empty).toEqual({ value: undefined, state: '' });
      await tier.set(`${p}k`, bytes('one'), { ttlMs: MINUTE });
      const one = await tier.read!(`${p}k`);
      expect(text(one.value)).toBe('one');
      expect(one.state).not.toBe('');
      await tier.set(`${p}k`, bytes('one'), { ttlMs: MINUTE });
      const again = await tier.read!(`${p}k`);
      expect(again.state).not.toBe(one.state); // every write is a new state, even with the same bytes
      expect(await tier.delete(`${p}k`)).toBe(true);
      const gone = await tier.read!(`${p}k`);
      expect(gone.value).toBeUndefined();
      expect(gone.state).not.toBe('');
      expect(await tier.get(`${p}k`)).toBeUndefined();
      expect((await tier.getMany([`${p}k`]))[0]).toBeUndefined();
      expect(await tier.delete(`${p}k`)).toBe(false); // a tombstone is not a value
      // A delete of a key the tier never held still leaves a tombstone: a write-back that read "nothing" fails.
      expect(await tier.delete(`${p}never`)).toBe(false);
      expect((await tier.read!(`${p}never`)).state).not.toBe('');
      expect(await tier.setIfUnchanged!({ key: `${p}never`, value: bytes('x'), ttlMs: MINUTE }, '')).toBe(
        false,
      );
      expect(await tier.deleteMany([`${p}never`, `${p}k`])).toBe(0);
    });

    it('setIfUnchanged writes only while the state is the one read', async () => {
      if (!conditional()) return;
      const p = ns();
      const k = `${p}k`;
      const w = (v: string) => ({ key: k, value: bytes(v), ttlMs: MINUTE, tags: [`${p}tag`] });
      expect(await tier.setIfUnchanged!(w('first'), '')).toBe(true);
      const s1 = (await tier.read!(k)).state;
      expect(await tier.setIfUnchanged!(w('stale'), '')).toBe(false); // something is there now
      await tier.set(k, bytes('other'), { ttlMs: MINUTE });
      expect(await tier.setIfUnchanged!(w('stale'), s1)).toBe(false); // written since
      expect(text(await tier.get(k))).toBe('other');
      const s2 = (await tier.read!(k)).state;
      await tier.deleteMany([k]);
      expect(await tier.setIfUnchanged!(w('stale'), s2)).toBe(false); // deleted since
      expect(await tier.get(k)).toBeUndefined();
      const s3 = (await tier.read!(k)).state;
      expect(await tier.setIfUnchanged!(w('fresh'), s3)).toBe(true); // over the tombstone it read
      expect(text(await tier.get(k))).toBe('fresh');
      expect(await tier.deleteByTag(`${p}tag`)).toBe(1); // the conditional write indexed its tag
      expect(await tier.get(k)).toBeUndefined();
    });

    it('round-trips binary values exactly: every byte value, 64 KB, empty', async () => {
      const p = ns();
      const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = new Uint8Array(randomBytes(64 * 1024));
      const empty = new Uint8Array(0);
      // A view into a larger buffer: the tier must store the view, not the whole backing buffer.
      const backing = new Uint8Array(randomBytes(100));
      const view = backing.subarray(10, 20);
      await tier.set(`${p}all`, allBytes, { ttlMs: MINUTE });
      await tier.setMany([
        { key: `${p}big`, value: big, ttlMs: MINUTE },
        { key: `${p}empty`, value: empty, ttlMs: MINUTE },
        { key: `${p}view`, value: view, ttlMs: MINUTE },
      ]);
      const all = await tier.get(`${p}all`);
      expect(all && Buffer.from(all).equals(Buffer.from(allBytes))).toBe(true);
      const [gotBig, gotEmpty, gotView] = await tier.getMany([`${p}big`, `${p}empty`, `${p}view`]);
      expect(gotBig && Buffer.from(gotBig).equals(Buffer.from(big))).toBe(true);
      expect(gotEmpty).toBeDefined();
      expect(gotEmpty?.byteLength).toBe(0);
      expect(gotView && Buffer.from(gotView).equals(Buffer.from(view))).toBe(true);
    });
  });
}

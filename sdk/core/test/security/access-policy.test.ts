import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  accessPolicy,
  type CacheEvent,
  ConfigError,
  createCache,
  runAs,
} from '../../src/index.js';
import { FakeTier } from '../helpers/fake-tier.js';

const policy = accessPolicy({
  rules: [
    { roles: ['admin'], namespaces: ['*'], operations: '*' },
    {
      principals: ['svc-orders'],
      namespaces: ['orders', 'orders:*'],
      operations: ['read', 'write', 'delete'],
    },
    { roles: ['reader'], namespaces: ['*'], operations: ['read'] },
    { principals: ['*'], namespaces: ['public'], operations: ['read'] },
    { roles: ['reader'], namespaces: ['secrets'], operations: '*', effect: 'deny' },
  ],
});

function setup() {
  const events: CacheEvent[] = [];
  const cache = createCache({ name: 'app', l1: { capacity: 100 }, l2: new FakeTier(), access: policy });
  cache.events.on('access-denied', (e) => events.push(e));
  return { cache, events };
}

describe('access policy', () => {
  it('evaluates principal / role x namespace x operation, deny wins, default deny', () => {
    const admin = { id: 'ops', roles: ['admin'] };
    const orders = { id: 'svc-orders' };
    const reader = { id: 'r', roles: ['reader'] };
    expect(policy.allows(admin, 'anything:nested', 'admin')).toBe(true);
    expect(policy.allows(orders, 'orders', 'write')).toBe(true);
    expect(policy.allows(orders, 'orders:eu', 'delete')).toBe(true);
    expect(policy.allows(orders, 'orders', 'clear')).toBe(false);
    expect(policy.allows(orders, 'ordersx', 'read')).toBe(false);
    expect(policy.allows(orders, '', 'read')).toBe(false);
    expect(policy.allows(reader, 'orders', 'read')).toBe(true);
    expect(policy.allows(reader, 'orders', 'write')).toBe(false);
    expect(policy.allows(reader, 'secrets', 'read')).toBe(false);
    expect(policy.allows(undefined, 'public', 'read')).toBe(true);
    expect(policy.allows(undefined, 'orders', 'read')).toBe(false);
    expect(() => accessPolicy({ rules: [{ roles: ['x'], namespaces: [], operations: '*' }] })).toThrow(
      ConfigError,
    );
    expect(() =>
      accessPolicy({ rules: [{ roles: ['x'], namespaces: ['*'], operations: ['fly' as 'read'] }] }),
    ).toThrow(/unknown operation/);
  });

  it('runAs carries the principal through awaits; denials throw AccessDeniedError and emit an event', async () => {
    const { cache, events } = setup();
    const orders = cache.namespace('orders');
    await runAs({ id: 'svc-orders' }, async () => {
      await orders.set('o1', { total: 5 });
      await new Promise((r) => setTimeout(r, 1));
      expect(await orders.get('o1')).toEqual({ total: 5 });
      await expect(orders.clear()).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(cache.get('root-key')).rejects.toThrow(
        /principal "svc-orders" may not read in namespace "\(root\)"/,
      );
    });
    await expect(orders.get('o1')).rejects.toBeInstanceOf(AccessDeniedError); // no principal: default deny
    expect(events.map((e) => e.type === 'access-denied' && [e.principal, e.namespace, e.operation])).toEqual([
      ['svc-orders', 'orders', 'clear'],
      ['svc-orders', '', 'read'],
      [undefined, 'orders', 'read'],
    ]);
    expect(cache.stats().access).toEqual({ denied: 3 });
  });

  it('an L1 hit is authorized too, and an explicit principal view overrides the context', async () => {
    const { cache } = setup();
    const orders = cache.namespace('orders');
    await orders.as({ id: 'svc-orders' }).set('k', 1);
    expect(await orders.as({ id: 'r', roles: ['reader'] }).get('k')).toBe(1);
    await runAs({ id: 'svc-orders' }, async () => {
      await expect(orders.as({ id: 'nobody' }).get('k')).rejects.toBeInstanceOf(AccessDeniedError);
    });
    // the view's principal carries into namespaces
    await expect(cache.as({ id: 'svc-orders' }).namespace('orders').get('k')).resolves.toBe(1);
  });

  it('getOrSet: read serves cached values; running the loader needs write', async () => {
    const { cache } = setup();
    const ns = cache.namespace('orders');
    const reader = ns.as({ id: 'r', roles: ['reader'] });
    await expect(reader.getOrSet('fresh', async () => 'loaded')).rejects.toBeInstanceOf(AccessDeniedError);
    await ns.as({ id: 'svc-orders' }).set('fresh', 'cached');
    expect(await reader.getOrSet('fresh', async () => 'loaded')).toBe('cached');
    expect(await ns.as({ id: 'svc-orders' }).getOrSet('other', async () => 'loaded')).toBe('loaded');
  });

  it('without a policy nothing is checked', async () => {
    const cache = createCache({ name: 'open', l1: { capacity: 10 } });
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    expect(cache.stats().access).toBeUndefined();
  });
});

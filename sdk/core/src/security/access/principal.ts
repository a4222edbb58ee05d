import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is calling: an id (user, service, tenant) and its roles. */
export interface Principal {
  readonly id: string;
  readonly roles?: readonly string[];
}

const current = new AsyncLocalStorage<Principal>();

/**
 * Runs `fn` as `principal`: every cache call made inside it (also after awaits, in callbacks and timers it
 * schedules) is authorized for this principal by the cache's access policy.
 */
export function runAs<T>(principal: Principal, fn: () => T): T {
  return current.run(principal, fn);
}

/** The principal of the current async context (set by runAs), if any. */
export function currentPrincipal(): Principal | undefined {
  return current.getStore();
}

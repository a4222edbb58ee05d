import type { CacheCore } from '../../cache/core.js';
import { AccessDeniedError, type AccessOperation } from './access-policy.js';
import { currentPrincipal, type Principal } from './principal.js';

/**
 * The cache's check before an operation, called only when an access policy is configured. The principal is the
 * view's own (cache.as(principal)) or the async context's (runAs). A denial emits `access-denied` and throws.
 */
export function authorize(
  core: CacheCore,
  namespace: string,
  operation: AccessOperation,
  explicit: Principal | undefined,
): void {
  const policy = core.access!;
  const principal = explicit ?? currentPrincipal();
  if (policy.allows(principal, namespace, operation)) return;
  core.counters.accessDenied++;
  const error = new AccessDeniedError(principal, namespace, operation);
  const ev = core.events;
  if (ev.wants('access-denied')) {
    ev.emit({
      type: 'access-denied',
      cache: core.name,
      namespace,
      operation,
      principal: principal?.id,
      error,
    });
  }
  throw error;
}

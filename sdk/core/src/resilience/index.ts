export { backoffDelay } from './backoff.js';
export { CIRCUIT_BREAKER_DEFAULTS, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
export type { DistributedLock, LockHandle } from './distributed-lock.js';
export { sleep, withTimeout } from './timeout.js';

import { TimeoutError } from '../errors.js';
import type { CacheEvents, TierOperation } from '../events.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../resilience/circuit-breaker.js';
import { DeadlineQueue } from '../resilience/deadline-queue.js';
import type { Tier } from '../tiers/tier.js';
import { RemoteTierCounters, type RemoteTierStats } from './stats.js';
import type { CacheTracing } from './tracing.js';

/**
 * A remote tier as the orchestrator uses it: every call passes the circuit breaker and its own timeout,
 * failures are counted, reported as `error` events and absorbed (the caller gets the fallback value).
 */
export class RemoteTier {
  readonly counters = new RemoteTierCounters();
  readonly breaker: CircuitBreaker;
  /** undefined when the tier bounds its own calls within our budget (no second timer per call). */
  private readonly deadlines: DeadlineQueue | undefined;
  /** The tier leaves tombstones and writes conditionally (Tier.tombstoneMs > 0; see write-back.ts). */
  readonly conditional: boolean;

  constructor(
    readonly name: 'l2' | 'l3',
    readonly tier: Tier,
    /** The cache's budget for one call of this tier, in ms. */
    readonly timeoutMs: number,
    breaker: CircuitBreakerOptions,
    private readonly cacheName: string,
    private readonly events: CacheEvents,
    private readonly tracing: () => CacheTracing | undefined = () => undefined,
  ) {
    this.conditional =
      (tier.tombstoneMs ?? 0) > 0 && tier.read !== undefined && tier.setIfUnchanged !== undefined;
    const own = tier.callTimeoutMs;
    this.deadlines =
      own !== undefined && own > 0 && own <= timeoutMs ? undefined : new DeadlineQueue(timeoutMs);
    this.breaker = new CircuitBreaker(breaker, (from, to) => {
      if (events.wants('circuit')) events.emit({ type: 'circuit', cache: cacheName, tier: name, from, to });
    });
  }

  /** Runs `work` under the breaker and timeout; returns `fallback` when the circuit is open or the call fails. */
  async call<T, F>(
    operation: TierOperation,
    work: (tier: Tier) => Promise<T>,
    fallback: F,
    trace?: { namespace: string; key: string },
  ): Promise<T | F> {
    if (!this.breaker.allow()) {
      this.counters.skipped++;
      return fallback;
    }
    try {
      const d = this.deadlines;
      const run = () =>
        d === undefined
          ? work(this.tier)
          : d.track(work(this.tier), `${this.name} (${this.tier.kind}) ${operation}`);
      const tracing = this.tracing();
      const r =
        tracing === undefined
          ? await run()
          : await tracing.trace(
              'tierOperation',
              {
                cache: this.cacheName,
                namespace: trace?.namespace ?? '',
                key: trace?.key ?? '',
                tier: this.name,
                tierKind: this.tier.kind,
                operation,
              },
              run,
            );
      this.breaker.success();
      return r;
    } catch (error) {
      if (error instanceof TimeoutError) this.counters.timeouts++;
      else this.counters.errors++;
      this.breaker.failure();
      if (this.events.wants('error')) {
        this.events.emit({ type: 'error', cache: this.cacheName, tier: this.name, operation, error });
      }
      return fallback;
    }
  }

  stats(): RemoteTierStats {
    const c = this.counters;
    return {
      tier: this.name,
      kind: this.tier.kind,
      hits: c.hits,
      misses: c.misses,
      staleHits: c.staleHits,
      sets: c.sets,
      deletes: c.deletes,
      errors: c.errors,
      timeouts: c.timeouts,
      decodeErrors: c.decodeErrors,
      checksumFailures: c.checksumFailures,
      skipped: c.skipped,
      circuit: { state: this.breaker.state, opens: this.breaker.opens, rejected: this.breaker.rejected },
      ...this.usage(),
    };
  }

  private usage(): { usage?: { entries: number; bytes: number } } {
    const u = this.tier.usage?.();
    return u === undefined ? {} : { usage: u };
  }
}

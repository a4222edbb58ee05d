/**
 * The prefetch loop's transport: two channels per group, each carried by an ordinary invalidation `Bus`
 * (so Kafka and Redis pub/sub come with their reconnects, timeouts and topic handling for free):
 * - `access`: caches publish sampled accesses, the anomaly service consumes them;
 * - `hints`: the service publishes prefetch hints, every cache of the group consumes them.
 * A side publishes on one channel (publish-only bus: no consumer) and subscribes to the other.
 * Subpaths build it: kafkaPrefetchBus (omnicache/kafka), redisPrefetchBus (omnicache/redis).
 */
import type { Bus } from '../invalidation/bus.js';

export type PrefetchChannel = 'access' | 'hints';
/** `cache`: publishes access samples, receives hints. `service`: the other way round. */
export type PrefetchSide = 'cache' | 'service';
/** Makes the Bus of one channel for a group; with `subscribe` false it only publishes. */
export type ChannelBusFactory = (channel: PrefetchChannel, group: string, subscribe: boolean) => Bus;
/** Closes what the factory's buses share (a client the transport created); called after both buses closed. */
export type SharedClose = () => Promise<void> | void;

export const defaultPrefetchTopic = (channel: PrefetchChannel, group: string): string =>
  `omnicache.prefetch.${channel}.${group}`;

export class PrefetchBus {
  /** Transport name: 'kafka', 'redis'. */
  readonly kind: string;
  readonly #make: ChannelBusFactory;
  readonly #closeShared: SharedClose | undefined;
  #out: Bus | undefined;
  #in: Bus | undefined;

  constructor(kind: string, make: ChannelBusFactory, closeShared?: SharedClose) {
    this.kind = kind;
    this.#make = make;
    this.#closeShared = closeShared;
  }

  /** Starts both channels; resolves once messages published to this side from now on will be delivered. */
  async start(
    group: string,
    side: PrefetchSide,
    onMessage: (payload: string | Uint8Array) => void,
  ): Promise<void> {
    const out = side === 'cache' ? 'access' : 'hints';
    const incoming = side === 'cache' ? 'hints' : 'access';
    // A previous start that failed part-way.
    await Promise.all([this.#out?.close().catch(() => undefined), this.#in?.close().catch(() => undefined)]);
    this.#out = this.#make(out, group, false);
    this.#in = this.#make(incoming, group, true);
    // Lost hints or samples are not worth a reset: the loop is best effort by design.
    const ignore = () => {};
    await Promise.all([
      this.#out.start(group, { message: ignore, reset: ignore }),
      this.#in.start(group, { message: onMessage, reset: ignore }),
    ]);
  }

  /** Publishes one message on this side's outgoing channel (rejects when the transport did not take it). */
  publish(key: string, payload: string): Promise<void> {
    if (this.#out === undefined) return Promise.reject(new Error('prefetch bus is not started'));
    return this.#out.publish([{ key, payload }]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#out?.close(), this.#in?.close()]);
    await this.#closeShared?.();
  }
}

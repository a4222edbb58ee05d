/**
 * A Bus carries invalidation messages between the instances of one cache group. The core knows only this
 * interface; transports live behind subpaths: redisBus / redisClusterBus (omnicache/redis, pub/sub and sharded
 * pub/sub) and kafkaBus (omnicache/kafka). A bus delivers every message to every subscribed instance, the
 * publisher included (the cache ignores its own messages).
 */
export interface BusHandler {
  /** One received payload (not yet validated). */
  message(payload: string | Uint8Array): void;
  /**
   * The transport lost messages it cannot redeliver (a pub/sub subscription was re-established after a
   * disconnect): the cache drops what it cannot prove fresh.
   */
  reset(reason: string): void;
}

export interface BusOutgoing {
  /** Partitioning/ordering key: the first target (a cache key, tag or prefix). */
  key: string;
  payload: string;
}

export interface Bus {
  /** Transport name for metrics and events: 'redis', 'redis-cluster', 'kafka', ... */
  readonly kind: string;
  /**
   * True when one publisher's messages reach each subscriber in publish order (a hole in its sequence is a lost
   * message at once); false when they may be reordered (Kafka with several partitions).
   */
  readonly ordered: boolean;
  /** Subscribes to the group's channel/topic; resolves once messages published from now on will be delivered. */
  start(group: string, handler: BusHandler): Promise<void>;
  /**
   * Hands messages to the transport, in order (one round trip where the transport allows: a pipeline, one
   * produce request); rejects when the transport did not take them all (the cache queues and retries the batch).
   */
  publish(messages: readonly BusOutgoing[]): Promise<void>;
  close(): Promise<void>;
}

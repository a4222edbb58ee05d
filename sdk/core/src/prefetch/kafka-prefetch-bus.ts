/** The prefetch loop over Kafka (omnicache/kafka): one topic per channel and group, one kafkajs client for both. */
import type { Kafka as KafkaClient } from 'kafkajs';
import { KafkaBus, type KafkaBusOptions } from '../invalidation/kafka/kafka-bus.js';
import { Kafka, logLevel } from '../invalidation/kafka/kafkajs.js';
import { defaultPrefetchTopic, PrefetchBus, type PrefetchChannel } from './prefetch-bus.js';

export interface KafkaPrefetchBusOptions extends Omit<KafkaBusOptions, 'topic' | 'subscribe'> {
  /** Topic names (default `omnicache.prefetch.access.<group>` and `omnicache.prefetch.hints.<group>`). */
  topics?: Partial<Record<PrefetchChannel, string>>;
}

/** Prefetch transport on Kafka: `kafkaPrefetchBus({ brokers: ['127.0.0.1:9092'] })`. */
export function kafkaPrefetchBus(options: KafkaPrefetchBusOptions): PrefetchBus {
  const { topics, ...rest } = options;
  let kafka: KafkaClient | undefined = options.kafka;
  if (kafka === undefined) {
    if (options.brokers === undefined || options.brokers.length === 0) {
      throw new TypeError(
        'kafkaPrefetchBus needs { brokers: ["host:port", ...] } or { kafka } (a kafkajs client)',
      );
    }
    kafka = new Kafka({
      clientId: 'omnicache-prefetch',
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 1_000_000 },
      ...options.clientConfig,
      brokers: options.brokers,
    });
  }
  const client = kafka;
  return new PrefetchBus(
    'kafka',
    (channel, group, subscribe) =>
      new KafkaBus({
        ...rest,
        kafka: client,
        topic: topics?.[channel] ?? defaultPrefetchTopic(channel, group),
        subscribe,
      }),
  );
}

/**
 * Invalidation bus over Kafka (omnicache/kafka, kafkajs): one topic per cache group, the cache key (first
 * target) as message key so messages about one key keep their order within its partition, and a consumer group
 * of its own per instance so that every instance consumes every message. Kafka keeps messages: a consumer that
 * was away (broker restart, network) resumes from its committed offset, and a message seen twice is applied
 * once (per-origin sequence numbers). Partitions may reorder one origin's messages, so the bus is unordered.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka as KafkaClient, KafkaConfig, Producer } from 'kafkajs';
import { withTimeout } from '../../resilience/timeout.js';
import type { Bus, BusHandler, BusOutgoing } from '../bus.js';
import { Kafka, logLevel } from './kafkajs.js';

export interface KafkaBusOptions {
  /** Brokers, e.g. ['127.0.0.1:9092'] (the bus creates and owns the client), unless `kafka` is given. */
  brokers?: string[];
  /** An existing kafkajs client (the caller keeps ownership). */
  kafka?: KafkaClient;
  /** Extra kafkajs client settings when the bus creates the client (ssl, sasl, clientId, ...). */
  clientConfig?: Omit<KafkaConfig, 'brokers'>;
  /** Topic (default `omnicache.invalidation.<group>`). */
  topic?: string;
  /** Partitions when the bus creates the topic (default 1; an existing topic is used as it is). */
  partitions?: number;
  /** Replication factor when the bus creates the topic (default: the broker's default). */
  replicationFactor?: number;
  /** Budget for one send in ms (default 2000); a slower or failed send is queued and retried by the cache. */
  publishTimeoutMs?: number;
  /**
   * Longest a consumer fetch waits at the broker when there is nothing new (default 100 ms). The broker answers
   * as soon as a message arrives, so this bounds idle polling, not latency.
   */
  maxWaitTimeInMs?: number;
  /** How long start() waits for the consumer to join its group (default 30000 ms). */
  startTimeoutMs?: number;
  /** False: publish only, no consumer (the prefetch access stream's producers). Default true. */
  subscribe?: boolean;
}

export const defaultTopic = (group: string): string => `omnicache.invalidation.${group}`;

export class KafkaBus implements Bus {
  readonly kind = 'kafka';
  readonly ordered = false;
  readonly #kafka: KafkaClient;
  readonly #options: KafkaBusOptions;
  #topic = '';
  #groupId = '';
  #producer: Producer | undefined;
  #consumer: Consumer | undefined;
  #connected = false;

  constructor(options: KafkaBusOptions) {
    this.#options = options;
    if (options.kafka !== undefined) {
      this.#kafka = options.kafka;
    } else {
      if (options.brokers === undefined || options.brokers.length === 0) {
        throw new TypeError('kafkaBus needs { brokers: ["host:port", ...] } or { kafka } (a kafkajs client)');
      }
      this.#kafka = new Kafka({
        clientId: 'omnicache',
        logLevel: logLevel.NOTHING,
        retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 1_000_000 },
        ...options.clientConfig,
        brokers: options.brokers,
      });
    }
  }

  /** The consumer group of this instance (unique, so every instance gets every message). */
  get groupId(): string {
    return this.#groupId;
  }

  async start(group: string, handler: BusHandler): Promise<void> {
    this.#topic = this.#options.topic ?? defaultTopic(group);
    // A previous start that failed part-way.
    await Promise.all([
      this.#consumer?.disconnect().catch(() => undefined),
      this.#producer?.disconnect().catch(() => undefined),
    ]);
    this.#groupId = `${this.#topic}.${randomUUID()}`;
    const admin: Admin = this.#kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.#topic,
            numPartitions: this.#options.partitions ?? 1,
            ...(this.#options.replicationFactor
              ? { replicationFactor: this.#options.replicationFactor }
              : {}),
          },
        ],
      });
      if (this.#options.subscribe !== false) {
        // A new group with fromBeginning: false picks its offset only at its first fetch, after the join that
        // start() waits for: a message produced in between would be skipped. Commit the topic's end offsets for
        // the (new, empty) group now, so the consumer starts exactly there.
        const ends = await admin.fetchTopicOffsets(this.#topic);
        await admin.setOffsets({
          groupId: this.#groupId,
          topic: this.#topic,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
      }
    } finally {
      await admin.disconnect();
    }
    const producer = this.#kafka.producer({ allowAutoTopicCreation: false });
    this.#producer = producer;
    producer.on(producer.events.CONNECT, () => {
      this.#connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.#connected = false;
    });
    await producer.connect();
    this.#connected = true;
    if (this.#options.subscribe === false) {
      this.#groupId = ''; // no consumer group to remove on close
      return;
    }
    const consumer = this.#kafka.consumer({
      groupId: this.#groupId,
      maxWaitTimeInMs: this.#options.maxWaitTimeInMs ?? 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 1_000_000 },
    });
    this.#consumer = consumer;
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.#topic, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value !== null) handler.message(message.value);
      },
    });
    await withTimeout(
      joined,
      this.#options.startTimeoutMs ?? 30_000,
      `Kafka consumer joining ${this.#groupId}`,
    );
  }

  async publish(messages: readonly BusOutgoing[]): Promise<void> {
    const producer = this.#producer;
    if (producer === undefined) throw new Error('Kafka bus is not started');
    // kafkajs reports a lost connection with DISCONNECT and does not reconnect that producer by itself.
    if (!this.#connected) {
      await withTimeout(
        producer.connect(),
        this.#options.publishTimeoutMs ?? 2_000,
        'Kafka producer reconnect',
      );
      this.#connected = true;
    }
    await withTimeout(
      producer.send({
        topic: this.#topic,
        acks: 1,
        messages: messages.map((m) => ({ key: m.key, value: m.payload })),
      }),
      this.#options.publishTimeoutMs ?? 2_000,
      'Kafka send',
    );
  }

  async close(): Promise<void> {
    await Promise.all([
      this.#consumer?.disconnect().catch(() => undefined),
      this.#producer?.disconnect().catch(() => undefined),
    ]);
    // The group was this instance's alone: remove it so brokers do not accumulate dead groups.
    if (this.#groupId !== '') {
      const admin = this.#kafka.admin();
      await withTimeout(
        admin
          .connect()
          .then(() => admin.deleteGroups([this.#groupId]))
          .finally(() => admin.disconnect()),
        2_000,
        'Kafka group removal',
      ).catch(() => undefined);
    }
  }
}

/** Invalidation bus on Kafka: `kafkaBus({ brokers: ['127.0.0.1:9092'] })`. */
export function kafkaBus(options: KafkaBusOptions): KafkaBus {
  return new KafkaBus(options);
}

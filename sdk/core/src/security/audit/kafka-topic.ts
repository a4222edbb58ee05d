/**
 * Reading an audit topic back (omnicache/kafka): the records of its single partition in offset order, as the
 * JSONL text `verifyAuditLog` and `omnicache audit verify` take (one record per line, exactly as written).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka as KafkaClient, KafkaConfig } from 'kafkajs';
import { AuditLogError, ConfigError } from '../../errors.js';
import { Kafka, logLevel } from '../../invalidation/kafka/kafkajs.js';
import { withTimeout } from '../../resilience/timeout.js';

export const DEFAULT_AUDIT_TOPIC = 'omnicache.audit';

export interface AuditTopicOptions {
  /** Brokers, e.g. ['127.0.0.1:9092'], unless `kafka` is given. */
  brokers?: string[];
  /** An existing kafkajs client (the caller keeps ownership). */
  kafka?: KafkaClient;
  /** Extra kafkajs client settings (ssl, sasl, clientId, ...) when `brokers` is given. */
  clientConfig?: Omit<KafkaConfig, 'brokers'>;
  /** Default 'omnicache.audit'. One partition: the chain is one ordered sequence. */
  topic?: string;
}

export function auditKafkaClient(options: AuditTopicOptions, what: string): KafkaClient {
  if (options.kafka !== undefined) return options.kafka;
  if (options.brokers === undefined || options.brokers.length === 0) {
    throw new ConfigError(`${what} needs { brokers: ["host:port", ...] } or { kafka } (a kafkajs client)`);
  }
  return new Kafka({
    clientId: 'omnicache-audit',
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
    ...options.clientConfig,
    brokers: options.brokers,
  });
}

/** The topic's offsets, checking it has exactly one partition; undefined when it does not exist. */
export async function auditTopicOffsets(
  kafka: KafkaClient,
  topic: string,
): Promise<{ low: number; high: number } | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    if (offsets.length !== 1) {
      throw new ConfigError(
        `audit topic "${topic}" has ${offsets.length} partitions; an audit chain needs exactly one (its order is the chain's): use a topic of its own with one partition`,
      );
    }
    return { low: Number(offsets[0]!.low), high: Number(offsets[0]!.high) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the values at offsets [from, to) of partition 0 (a consumer of its own, no committed offsets), in order.
 * `to` must not be beyond the topic's high watermark.
 */
export async function readAuditTopicRange(
  kafka: KafkaClient,
  topic: string,
  from: number,
  to: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const out: string[] = [];
  if (to <= from) return out;
  const groupId = `omnicache.audit-reader.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  // A fresh group starts at the beginning; once it has joined, jump to `from` (seek before that is refused).
  // Messages fetched before the jump that are not needed, or delivered again after it, are skipped by offset.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    try {
      if (from > 0) consumer.seek({ topic, partition: 0, offset: String(from + out.length) });
    } catch {
      // reading on from where the consumer is works too, only slower
    }
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const offset = Number(message.offset);
        if (offset < from + out.length || offset >= to) return;
        if (offset !== from + out.length) {
          throw new AuditLogError(
            `audit topic "${topic}": expected offset ${from + out.length}, got ${offset}`,
          );
        }
        out.push(message.value === null ? '' : message.value.toString('utf8'));
        if (out.length === to - from) done();
      },
    });
    await withTimeout(finished, timeoutMs, `reading audit topic "${topic}" offsets ${from}-${to - 1}`);
    return out;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
}

/**
 * Every record of an audit topic as JSONL text (one record per line, in topic order) for `verifyAuditLog(text)`
 * or `omnicache audit verify`. A topic that does not exist reads as empty.
 */
export async function readAuditTopic(options: AuditTopicOptions, timeoutMs = 60_000): Promise<string> {
  const kafka = auditKafkaClient(options, 'readAuditTopic');
  const topic = options.topic ?? DEFAULT_AUDIT_TOPIC;
  const offsets = await auditTopicOffsets(kafka, topic);
  if (offsets === undefined) return '';
  const lines = await readAuditTopicRange(kafka, topic, offsets.low, offsets.high, timeoutMs);
  return lines.map((l) => `${l}\n`).join('');
}

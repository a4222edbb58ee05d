/**
 * Audit sink on a Kafka topic (omnicache/kafka, kafkajs): one partition, so the topic's order is the chain's;
 * records go out in batches (group commit: what is appended while a send is in flight goes in the next one), one
 * send at a time, with acks=-1 (every in-sync replica has it), and write() resolves only after that ack.
 *
 * While the broker is unreachable the batch is retried (acknowledgements wait, bounded by maxPending). Before a
 * batch is sent again, the topic's last record is read: a send whose ack was lost may have landed, and what landed
 * is not sent twice. The topic is this log's alone (one writer): give every audit log a topic of its own.
 */
import type { Kafka as KafkaClient, Producer } from 'kafkajs';
import { AuditLogError } from '../../errors.js';
import { backoffDelay } from '../../resilience/backoff.js';
import { withTimeout } from '../../resilience/timeout.js';
import {
  type AuditTopicOptions,
  auditKafkaClient,
  auditTopicOffsets,
  DEFAULT_AUDIT_TOPIC,
  readAuditTopicRange,
} from './kafka-topic.js';
import { type AuditRecord, parseRecord } from './record.js';
import type { AuditSink } from './sink.js';

export interface KafkaAuditSinkOptions extends AuditTopicOptions {
  /** Replication factor when the sink creates the topic (default: the broker's default). */
  replicationFactor?: number;
  /** Records waiting for the broker at most (default 100,000); beyond that append() rejects with AuditLogError. */
  maxPending?: number;
  /** Budget for one send in ms (default 10,000); a slower or failed send is retried after a backoff. */
  sendTimeoutMs?: number;
}

interface Pending {
  records: readonly AuditRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Bytes of record JSON per send: well under Kafka's default max.message.bytes (1 MB) for one record batch. */
const CHUNK_BYTES = 256 * 1024;

function* chunks(records: readonly AuditRecord[]): Generator<{ key: string; value: string }[]> {
  let chunk: { key: string; value: string }[] = [];
  let bytes = 0;
  for (const r of records) {
    const value = JSON.stringify(r);
    if (chunk.length > 0 && bytes + value.length > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push({ key: String(r.seq), value });
    bytes += value.length;
  }
  if (chunk.length > 0) yield chunk;
}

export class KafkaAuditSink implements AuditSink {
  readonly name: string;
  readonly topic: string;
  readonly #options: KafkaAuditSinkOptions;
  readonly #kafka: KafkaClient;
  #producer: Producer | undefined;
  #queue: Pending[] = [];
  #pending = 0;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #opened = false;
  /** Sends that failed and were retried (for tests and stats). */
  retries = 0;

  constructor(options: KafkaAuditSinkOptions) {
    this.#options = options;
    this.topic = options.topic ?? DEFAULT_AUDIT_TOPIC;
    this.name = `kafka:${this.topic}`;
    this.#kafka = auditKafkaClient(options, 'kafkaAuditSink');
  }

  /** Creates the topic when missing (one partition, kept forever), connects, returns the topic's last record. */
  async open(): Promise<{ seq: number; hash: string } | undefined> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: 1,
            ...(this.#options.replicationFactor
              ? { replicationFactor: this.#options.replicationFactor }
              : {}),
            // An audit trail is not trimmed by age or size: a record gone from the start breaks the chain.
            configEntries: [
              { name: 'retention.ms', value: '-1' },
              { name: 'retention.bytes', value: '-1' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const last = await this.#lastRecord();
    await this.#newProducer().connect();
    this.#opened = true;
    return last === undefined ? undefined : { seq: last.seq, hash: last.hash };
  }

  /** Idempotent, one request in flight: the broker keeps the order of a session's sends and drops its retries. */
  #newProducer(): Producer {
    this.#producer = this.#kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
    });
    return this.#producer;
  }

  async #lastRecord(): Promise<AuditRecord | undefined> {
    const offsets = await auditTopicOffsets(this.#kafka, this.topic);
    if (offsets === undefined || offsets.high <= offsets.low) return undefined;
    const [line] = await readAuditTopicRange(this.#kafka, this.topic, offsets.high - 1, offsets.high);
    const rec = line === undefined ? undefined : parseRecord(line);
    if (rec === undefined) {
      throw new AuditLogError(
        `the last message of audit topic "${this.topic}" (offset ${offsets.high - 1}) is not an audit record; the topic must hold this log's records only`,
      );
    }
    return rec;
  }

  checkCapacity(count: number): void {
    if (!this.#opened) throw new AuditLogError(`${this.name} is not open`);
    if (this.#closed) throw new AuditLogError(`${this.name} is closed`);
    const max = this.#options.maxPending ?? 100_000;
    if (this.#pending + count > max) {
      throw new AuditLogError(
        `${this.name} has ${this.#pending} records waiting for the broker (maxPending ${max}): Kafka is unreachable or too slow; check it, or raise maxPending`,
      );
    }
  }

  write(records: readonly AuditRecord[]): Promise<void> {
    try {
      this.checkCapacity(records.length);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#pending += records.length;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      this.#flushing ??= this.#flush().finally(() => {
        this.#flushing = undefined;
      });
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      const records = batch.flatMap((p) => p.records);
      try {
        await this.#deliver(records);
      } catch (error) {
        // Closed while the broker was away: what was not acknowledged is rejected, never reported as written.
        for (const p of [...batch, ...this.#queue.splice(0)]) {
          this.#pending -= p.records.length;
          p.reject(new AuditLogError(`${this.name}: records not acknowledged`, { cause: error }));
        }
        return;
      }
      for (const p of batch) {
        this.#pending -= p.records.length;
        p.resolve();
      }
    }
  }

  /** Sends `records` (in order) until the broker acknowledges them; after a failure, skips what already landed. */
  async #deliver(records: readonly AuditRecord[]): Promise<void> {
    let todo = records;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed && attempt > 0)
        throw new AuditLogError(`${this.name} closed before the broker acknowledged`);
      try {
        if (attempt > 0) {
          // A failed send may still have landed (ack lost): resend only what the topic does not hold.
          const last = await this.#lastRecord();
          if (last !== undefined) todo = todo.filter((r) => r.seq > last.seq);
          if (todo.length === 0) return;
        }
        // In order, one request at a time, each under the broker's message size limit (1 MB by default).
        for (const chunk of chunks(todo)) {
          await withTimeout(
            this.#producer!.send({ topic: this.topic, acks: -1, messages: chunk }),
            this.#options.sendTimeoutMs ?? 10_000,
            `${this.name} send`,
          );
        }
        return;
      } catch (error) {
        if (this.#closed) throw error;
        this.retries++;
        await sleep(backoffDelay(attempt, 100, 2_000));
        // kafkajs does not reconnect a producer that lost its connection; a fresh one (new idempotence session).
        await this.#producer?.disconnect().catch(() => undefined);
        await this.#newProducer()
          .connect()
          .catch(() => undefined);
      }
    }
  }

  /** Waits for what is queued (bounded by `timeoutMs`), then disconnects; unacknowledged records are rejected. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#flushing !== undefined) {
      await withTimeout(this.#flushing, timeoutMs, `${this.name} close`).catch(() => undefined);
    }
    this.#closed = true;
    await this.#flushing?.catch(() => undefined);
    await this.#producer?.disconnect().catch(() => undefined);
  }
}

/** Audit sink on Kafka: `kafkaAuditSink({ brokers: ['127.0.0.1:9092'], topic: 'orders.audit' })`. */
export function kafkaAuditSink(options: KafkaAuditSinkOptions): KafkaAuditSink {
  return new KafkaAuditSink(options);
}

import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { type KafkaHandle, startKafka } from './kafka.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function client(broker: string): Kafka {
  return new Kafka({
    clientId: 'harness-test',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 30, maxRetryTime: 1000 },
  });
}

async function consumeOne(kafka: Kafka, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('startKafka (KRaft, Maven Central jars)', () => {
  let kafka: KafkaHandle | undefined;
  afterEach(async () => {
    await kafka?.stop();
    kafka = undefined;
  });

  it('produces and consumes on 127.0.0.1, keeps its log across kill + restart, and stop() leaves no process', async () => {
    kafka = await startKafka();
    expect(kafka.broker).toBe(`127.0.0.1:${kafka.port}`);
    const k = client(kafka.broker);
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'harness', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic: 'harness', messages: [{ key: 'k', value: 'before-crash' }] });
    await producer.disconnect();
    expect(await consumeOne(k, 'harness', 'g1')).toBe('before-crash');

    const pid = kafka.pid();
    await kafka.kill();
    expect(pidAlive(pid ?? -1)).toBe(false);
    await kafka.restart();
    expect(kafka.pid()).not.toBe(pid);
    // The log survived the crash: a new group reading from the beginning finds the message.
    expect(await consumeOne(client(kafka.broker), 'harness', 'g2')).toBe('before-crash');

    const last = kafka.pid();
    await kafka.stop();
    expect(kafka.running()).toBe(false);
    expect(pidAlive(last ?? -1)).toBe(false);
    kafka = undefined;
  });
});

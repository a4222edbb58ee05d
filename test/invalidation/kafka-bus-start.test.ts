// kafkaBus.start() promises that messages published once it resolves are delivered. A new consumer group with
// `fromBeginning: false` only picks its starting offset at its first fetch, after the group join that start() waits
// for: a message produced in between was skipped (and, being the first from its origin, not even seen as a gap).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaBus, kafkaBus } from '../../sdk/core/src/kafka.js';
import { type KafkaHandle, startKafka } from '../services/index.js';

const CONSUMERS = 8;

describe('kafkaBus start()', () => {
  let kafka: KafkaHandle;
  beforeAll(async () => {
    kafka = await startKafka();
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  });

  it('delivers a message published the moment start() resolves, to every new consumer', async () => {
    const group = `start-${randomUUID().slice(0, 8)}`;
    const publisher = kafkaBus({ brokers: [kafka.broker], subscribe: false });
    await publisher.start(group, { message: () => undefined, reset: () => undefined });
    const consumers: KafkaBus[] = [];
    const received = Array.from({ length: CONSUMERS }, () => new Set<string>());
    try {
      await Promise.all(
        received.map(async (seen, i) => {
          const bus = kafkaBus({ brokers: [kafka.broker] });
          consumers.push(bus);
          await bus.start(group, {
            message: (p) => {
              seen.add(typeof p === 'string' ? p : Buffer.from(p).toString());
            },
            reset: () => undefined,
          });
          await publisher.publish([{ key: `k${i}`, payload: `first-after-start-${i}` }]);
        }),
      );
      const deadline = Date.now() + 15_000;
      const missing = () =>
        received.flatMap((seen, i) =>
          seen.has(`first-after-start-${i}`) ? [] : [`consumer ${i} missed its message`],
        );
      while (missing().length > 0 && Date.now() < deadline) await sleep(100);
      expect(missing()).toEqual([]);
    } finally {
      await Promise.all([publisher.close(), ...consumers.map((c) => c.close())]);
    }
  }, 60_000);
});

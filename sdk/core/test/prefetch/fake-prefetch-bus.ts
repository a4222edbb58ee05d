import {
  type AccessSample,
  decodePrefetchMessage,
  encodePrefetchMessage,
  PREFETCH_MESSAGE_VERSION,
  PrefetchBus,
  type PrefetchHint,
} from '../../src/index.js';
import { KeyHasher } from '../../src/prefetch/key-hash.js';
import { FakeHub } from '../helpers/fake-bus.js';

/**
 * Both ends of the prefetch loop in memory: `cacheBus()` for createCache({ prefetch: { bus } }), and a service
 * side that records the access stream and sends hints, hashing keys with the same secret as the cache.
 */
export class FakePrefetchLoop {
  readonly hubs = { access: new FakeHub(), hints: new FakeHub() };
  readonly samples: AccessSample[] = [];
  readonly raw: string[] = [];
  readonly hasher: KeyHasher;
  readonly #service: PrefetchBus;

  constructor(
    readonly secret = 'test-secret-0123456789',
    readonly group = 'shop',
  ) {
    this.hasher = new KeyHasher(secret);
    this.#service = this.cacheBus();
  }

  cacheBus(): PrefetchBus {
    return new PrefetchBus('redis', (channel) => this.hubs[channel].bus());
  }

  async start(): Promise<void> {
    await this.#service.start(this.group, 'service', (payload) => {
      const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString();
      this.raw.push(text);
      const r = decodePrefetchMessage(text);
      if (r.ok && r.message.kind === 'access') this.samples.push(...r.message.samples);
    });
  }

  hash(key: string, ns = ''): string {
    return this.hasher.hash(ns, key);
  }

  async hint(
    keys: string[],
    o: { ns?: string; confidence?: number; deadlineMs?: number } = {},
  ): Promise<void> {
    const hints: PrefetchHint[] = keys.map((k) => ({
      ns: o.ns ?? '',
      k: this.hash(k, o.ns ?? ''),
      confidence: o.confidence ?? 0.9,
      deadline: Date.now() + (o.deadlineMs ?? 10_000),
    }));
    await this.#service.publish(
      'svc',
      encodePrefetchMessage({
        v: PREFETCH_MESSAGE_VERSION,
        kind: 'hints',
        group: this.group,
        origin: 'svc',
        model: 'test',
        observedAt: Date.now(),
        hints,
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
  }

  close(): Promise<void> {
    return this.#service.close();
  }
}

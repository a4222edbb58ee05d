import type { Bus, BusHandler, BusOutgoing } from '../../src/invalidation/bus.js';

/**
 * In-memory pub/sub for unit tests: every started FakeBus on one hub gets every message (its own too), in
 * publish order unless `hold` is used. `down` makes publish reject (the bus is unreachable); `lose` drops
 * messages silently (a subscriber missed them).
 */
export class FakeHub {
  readonly buses = new Set<FakeBus>();
  down = false;
  /** Drop the next n messages without delivering them. */
  lose = 0;
  /** Held messages (delivered by release(), in any order the test chooses). */
  held: string[] | undefined;
  readonly log: string[] = [];

  bus(ordered = true): FakeBus {
    return new FakeBus(this, ordered);
  }

  deliver(payload: string): void {
    for (const b of this.buses) b.handler?.message(payload);
  }

  release(order?: (held: string[]) => string[]): void {
    const h = this.held ?? [];
    this.held = undefined;
    for (const p of order ? order(h) : h) this.deliver(p);
  }
}

export class FakeBus implements Bus {
  readonly kind = 'redis';
  handler: BusHandler | undefined;
  constructor(
    readonly hub: FakeHub,
    readonly ordered: boolean,
  ) {}
  async start(_group: string, handler: BusHandler): Promise<void> {
    this.handler = handler;
    this.hub.buses.add(this);
  }
  async publish(messages: readonly BusOutgoing[]): Promise<void> {
    if (this.hub.down) throw new Error('bus down');
    for (const m of messages) this.one(m);
  }
  private one(m: BusOutgoing): void {
    this.hub.log.push(m.payload);
    if (this.hub.lose > 0) {
      this.hub.lose--;
      return;
    }
    if (this.hub.held) {
      this.hub.held.push(m.payload);
      return;
    }
    // Asynchronous delivery, like a network.
    queueMicrotask(() => this.hub.deliver(m.payload));
  }
  async close(): Promise<void> {
    this.hub.buses.delete(this);
  }
}

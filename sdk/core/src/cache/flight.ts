import type { Ticket } from './versions.js';
import type { ObservedStates } from './write-back.js';

/**
 * One key's load in progress (single-flight): what concurrent getOrSet calls join.
 *
 * It stays registered until the load itself settles, not just until its first caller was answered: under a
 * soft timeout or a remote stale-while-revalidate hit the first caller gets the stale value early while
 * the loader keeps running, and later callers must still join that loader instead of starting another.
 */
export class Flight {
  /** Opened when the flight started; the flight lands (L1, write-back, joins) only while it is current. */
  readonly ticket: Ticket;
  /** Qualified tags of the value it will land (the loading call's tags; a remote record's once read). */
  tags: readonly string[] | undefined;
  /** A background stale-while-revalidate refresh: nobody awaited it, so its failures are raw loader errors. */
  readonly refresh: boolean;
  /** What a joining caller receives. */
  answer: Promise<unknown> = Promise.resolve(undefined);
  /** The loader run, when one started (may outlive `answer`). */
  load: Promise<unknown> | undefined;
  /** Whether the flight wrote its value into L1 (the value was the key's latest at that moment). */
  landed = false;
  /** Whether a failure of this flight was already counted in requests.errors. */
  errorCounted = false;
  /** The conditional tiers' states of the key as the flight's last remote read (before its loader) found them. */
  observed: ObservedStates | undefined;

  constructor(ticket: Ticket, tags: readonly string[] | undefined, refresh: boolean) {
    this.ticket = ticket;
    this.tags = tags;
    this.refresh = refresh;
  }
}

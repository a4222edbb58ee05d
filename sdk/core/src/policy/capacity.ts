/** Throws a RangeError that tells the caller what a valid capacity is. */
export function assertCapacity(capacity: number): void {
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer number of entries, got ${String(capacity)}`);
  }
}

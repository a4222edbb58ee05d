/**
 * Per-object serialisation shared by every tier instance in the process (fs entry files, GCS objects):
 * operations on one stored object run one after the other in call order, so a write called after another
 * write or a delete of the same key lands after it, whichever request or temp file finishes first. Entries
 * exist only while operations on the object are queued, so the map never holds more names than there are
 * operations in flight. Names are global: tiers prefix them with what identifies their storage (an absolute
 * directory path, `gcs:${bucket}/`).
 */
const tails = new Map<string, Promise<void>>();

const ignore = (): void => {};

/** Runs `work` after every operation queued earlier for `path` (an object's global name) has settled. */
export function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(path);
  const run = previous === undefined ? work() : previous.then(work);
  const tail = run.then(ignore, ignore);
  tails.set(path, tail);
  void tail.then(() => {
    if (tails.get(path) === tail) tails.delete(path);
  });
  return run;
}

/**
 * The operations queued so far for `path` (undefined when none): a read waits for them, so it sees every
 * write and delete called before it, without queueing itself (later writes need not wait for reads).
 */
export function queuedFor(path: string): Promise<void> | undefined {
  return tails.get(path);
}

/** Resolves when every operation queued so far (on any path) has settled: clear and deleteByTag start after it. */
export function drained(): Promise<void> {
  if (tails.size === 0) return Promise.resolve();
  return Promise.all(tails.values()).then(ignore);
}

/** Paths with queued operations (for tests). */
export function queuedPaths(): number {
  return tails.size;
}

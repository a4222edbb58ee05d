import type fc from 'fast-check';

const tick = () => new Promise((r) => setImmediate(r));

/** Runs scheduled tasks one at a time (in the scheduler's order) until `p` settles. */
export async function drive<T>(s: fc.Scheduler, p: Promise<T>): Promise<T> {
  let done = false;
  const settle = () => {
    done = true;
  };
  p.then(settle, settle);
  while (!done) {
    if (s.count() > 0) await s.waitOne();
    else await tick();
  }
  return p;
}

/** Runs scheduled tasks until none is left and none appears for a few turns of the event loop. */
export async function quiesce(s: fc.Scheduler): Promise<void> {
  for (let idle = 0; idle < 5; ) {
    if (s.count() > 0) {
      idle = 0;
      await s.waitOne();
    } else {
      idle++;
      await tick();
    }
  }
}

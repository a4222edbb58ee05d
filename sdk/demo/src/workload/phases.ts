/** A synthetic request stream that shifts between access patterns, to show ARC adapting where LRU cannot. */
export interface Phase {
  name: string;
  description: string;
  length: number;
  next(i: number): number;
}

/**
 * Phases over integer keys, for a cache of `capacity` entries:
 * - recency: a working set slightly smaller than the cache that drifts forward (new keys are hot);
 * - frequency: a skewed hot set (0.6c keys) mixed with one-off keys that are never seen again;
 * - scan: the same hot set while a long sequential scan of unique keys runs through it;
 * - recency again: the pattern changes back, and ARC must give T1 its space back.
 */
export function demoPhases(
  capacity: number,
  lengthPerPhase: number,
  random: () => number = Math.random,
): Phase[] {
  const hot = Math.floor(capacity * 0.6);
  const hotKey = () => 1_000_000 + Math.floor(hot * random() ** 2);
  let oneOff = 10_000_000;
  let scan = 50_000_000;
  let drift = 0;
  const recency = (name: string): Phase => ({
    name,
    description: 'drifting working set of 0.8c recent keys',
    length: lengthPerPhase,
    next: (i) => {
      if (i % 4 === 0) drift++;
      return 100_000_000 + drift + Math.floor(random() * capacity * 0.8);
    },
  });
  return [
    recency('recency'),
    {
      name: 'frequency',
      description: 'hot set of 0.6c keys (skewed) + 50% one-off keys',
      length: lengthPerPhase,
      next: () => (random() < 0.5 ? hotKey() : oneOff++),
    },
    {
      name: 'scan',
      description: 'same hot set while a sequential scan of unique keys runs',
      length: lengthPerPhase,
      next: () => (random() < 0.35 ? hotKey() : scan++),
    },
    recency('recency again'),
  ];
}

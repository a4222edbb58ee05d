/**
 * Which way of a series' move is a problem: `down` for a hit ratio (a rise is good news), `up` for latency or an
 * error rate, `both` when either way is.
 */
export const DIRECTIONS = ['up', 'down', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Whether a move of `change` (value - its usual level) goes the watched way. */
export function movesTowards(direction: Direction, change: number): boolean {
  if (direction === 'both') return true;
  return direction === 'up' ? change > 0 : change < 0;
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/data next to the repository (present in CI, maybe absent in a clone elsewhere). */
export const sharedData = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));

/**
 * Whether tests that read ../shared/data can run. In CI the data must be there: its absence fails loudly.
 * Elsewhere the suite is skipped with a message saying why.
 */
export function hasSharedData(what: string): boolean {
  if (existsSync(sharedData)) return true;
  if (process.env.CI) throw new Error(`${sharedData} is missing in CI; ${what} cannot be checked`);
  console.warn(`[skip] ${what}: ${sharedData} not found (clone the repo next to shared/ to run it)`);
  return false;
}

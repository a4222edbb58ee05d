import { randomBytes } from 'node:crypto';

/**
 * Write tokens: what a conditional tier stores with each value and tombstone so that `read` can name the key's
 * state (tier.ts, TierRead.state). 24 ASCII characters: 12 hex digits chosen at random once per process, then a
 * 12-hex-digit counter, so two writes never share one (within a process the counter differs; across processes
 * the random part does, but for a 2^-48 chance).
 */
export const WRITE_TOKEN_LENGTH = 24;

let writer: string | undefined;
let counter = 0;

export function nextWriteToken(): string {
  writer ??= randomBytes(6).toString('hex');
  counter++;
  return writer + counter.toString(16).padStart(12, '0');
}

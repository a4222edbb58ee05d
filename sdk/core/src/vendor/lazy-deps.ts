import { createRequire } from 'node:module';
import type * as Msgpackr from 'msgpackr';
import type * as Zod from 'zod';

/**
 * The core's own dependencies, loaded on first use rather than at `import('omnicache')`: zod when a configuration
 * is validated (createCache), msgpackr when a value is first serialized for a remote tier. Together they are most
 * of a cold import's cost, which an application pays at start-up even when it never reaches them.
 */
const require = createRequire(import.meta.url);

let zodModule: typeof Zod | undefined;
let msgpackrModule: typeof Msgpackr | undefined;

export function zod(): typeof Zod.z {
  zodModule ??= require('zod') as typeof Zod;
  return zodModule.z;
}

export function msgpackr(): typeof Msgpackr {
  msgpackrModule ??= require('msgpackr') as typeof Msgpackr;
  return msgpackrModule;
}

// Messages between stampede.ts and its forked workers.
export const STAMPEDE_LIBS = [
  'omnicache + RedisLock',
  'omnicache, no lock',
  'bentocache',
  'cache-manager wrap',
] as const;
export type StampedeLib = (typeof STAMPEDE_LIBS)[number];

export type ToWorker =
  | {
      type: 'prepare';
      lib: StampedeLib;
      ep: { host: string; port: number };
      /** Cache name / prefix / namespace, shared by the workers of one round. */
      name: string;
      key: string;
      counterKey: string;
      calls: number;
      loaderMs: number;
    }
  | { type: 'go'; startAt: number };

export type FromWorker =
  | { type: 'started' }
  | { type: 'ready' }
  | { type: 'done'; distinct: string[]; errors: number; p50Ms: number; maxMs: number }
  | { type: 'error'; message: string };

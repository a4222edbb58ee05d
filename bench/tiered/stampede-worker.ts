// One app instance of the stampede benchmark, forked by stampede.ts (IPC). It imports the built SDK (the
// `omnicache` package resolves to sdk/dist) and the peers, then, per round: builds the cache that round asks
// for, waits for the shared start time and fires `calls` concurrent getOrSet on one cold key. The loader
// increments a Redis counter and sleeps.
import { Redis } from 'ioredis';
import { median } from '../lib/stats.js';
import { bentocache, cacheManager, omnicache } from './libs.js';
import type { FromWorker, StampedeLib, ToWorker } from './stampede-protocol.js';

type GetOrSet = (key: string, loader: () => Promise<unknown>) => Promise<unknown>;

interface Instance {
  getOrSet: GetOrSet;
  close(): Promise<unknown>;
}

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function build(lib: StampedeLib, ep: { host: string; port: number }, name: string, client: Redis): Instance {
  switch (lib) {
    case 'omnicache + RedisLock':
    case 'omnicache, no lock': {
      const cache = omnicache(ep, name, { l1Capacity: 100, client, lock: lib === 'omnicache + RedisLock' });
      return { getOrSet: (k, loader) => cache.getOrSet(k, loader), close: () => cache.close() };
    }
    case 'bentocache': {
      const bento = bentocache(ep, name, { maxItems: 100, serialize: true });
      return {
        getOrSet: (key, factory) => bento.getOrSet({ key, factory }),
        close: () => bento.disconnect(),
      };
    }
    case 'cache-manager wrap': {
      const cm = cacheManager(ep, name, true);
      return { getOrSet: (k, fn) => cm.wrap(k, fn), close: () => cm.disconnect() };
    }
  }
}

let current: { instance: Instance; client: Redis; run: Extract<ToWorker, { type: 'prepare' }> } | undefined;

process.on('disconnect', () => process.exit(0));
process.on('message', (msg: ToWorker) => {
  void handle(msg).catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
send({ type: 'started' });

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'prepare') {
    const client = new Redis({ host: msg.ep.host, port: msg.ep.port });
    await client.ping();
    const instance = build(msg.lib, msg.ep, msg.name, client);
    current = { instance, client, run: msg };
    // A warm-up call on another key opens the library's own connections before the measured burst.
    await instance.getOrSet(`${msg.key}:warmup`, async () => 'warm');
    send({ type: 'ready' });
    return;
  }
  if (msg.type === 'go') {
    const c = current;
    if (c === undefined) throw new Error('go before prepare');
    const { run, client, instance } = c;
    const loader = async () => {
      await client.incr(run.counterKey);
      await new Promise((r) => setTimeout(r, run.loaderMs));
      return { loadedBy: process.pid, at: Date.now() };
    };
    await new Promise((r) => setTimeout(r, Math.max(0, msg.startAt - Date.now())));
    const t0 = performance.now();
    const ms: number[] = [];
    let errors = 0;
    const values = await Promise.all(
      Array.from({ length: run.calls }, () =>
        instance.getOrSet(run.key, loader).then(
          (v) => {
            ms.push(performance.now() - t0);
            return JSON.stringify(v);
          },
          () => {
            errors++;
            return 'error';
          },
        ),
      ),
    );
    await instance.close();
    await client.quit();
    current = undefined;
    send({
      type: 'done',
      distinct: [...new Set(values)],
      errors,
      p50Ms: median(ms),
      maxMs: Math.max(...ms),
    });
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import {
  HttpCacheEngine,
  type RequestView,
  UncacheableResponse,
} from '../../src/integrations/http/engine.js';
import type { CapturedResponse } from '../../src/integrations/http/stored-response.js';

// Concurrent identical requests against the HTTP engine, every interleaving of their arrivals and of the handler
// runs chosen by fast-check's scheduler. The framework side is modelled as the integrations do it: the leader
// answers with its own response, others with the stored entry, or run the handler themselves (rerun).
interface Outcome {
  status: number;
  cookie: boolean;
}
const cacheable = (o: Outcome) => o.status === 200 && !o.cookie;

const outcome = fc.record({ status: fc.constantFrom(200, 200, 500, 404), cookie: fc.boolean() });

describe('HTTP engine under every interleaving (fast-check scheduler)', () => {
  it('each request is answered once; shared answers come only from storable responses; one handler run when all are storable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(outcome, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        async (s, outcomes, n) => {
          const cache = createCache({ name: 'model', l1: { capacity: 10 } });
          const engine = new HttpCacheEngine(cache, { meterProvider: false });
          const produced = new Map<string, Outcome>();
          let calls = 0;
          const handler = async (): Promise<CapturedResponse> => {
            const i = calls++;
            const o = outcomes[i % outcomes.length]!;
            await s.schedule(Promise.resolve(), `handler ${i} -> ${o.status}${o.cookie ? ' cookie' : ''}`);
            const body = `b${i}`;
            produced.set(body, o);
            return {
              status: o.status,
              headers: o.cookie ? { 'set-cookie': 'sid=1' } : {},
              body: Buffer.from(body),
            };
          };
          const request = async (r: number) => {
            await s.schedule(Promise.resolve(), `request ${r} arrives`);
            const view: RequestView = { method: 'GET', url: '/x', headers: {}, route: '/x' };
            const plan = engine.plan({}, undefined, view)!;
            let own: string | undefined;
            const served = await engine.serve(
              plan,
              view,
              async () => {
                const c = await handler();
                own = Buffer.from(c.body!).toString();
                const stored = engine.store(plan, c, Date.now());
                if (typeof stored === 'string') throw new UncacheableResponse(stored);
                return stored;
              },
              handler,
            );
            if (served.kind === 'leader') return { body: own!, shared: false };
            if (served.kind === 'rerun')
              return { body: Buffer.from((await handler()).body!).toString(), shared: false };
            return { body: Buffer.from(served.entry.body).toString(), shared: true };
          };
          const all = Promise.all(Array.from({ length: n }, (_, r) => request(r)));
          await s.waitFor(all);
          const answers = await all;
          expect(answers).toHaveLength(n);
          for (const a of answers) {
            expect(a.body, String(s)).toMatch(/^b\d+$/);
            if (a.shared) expect(cacheable(produced.get(a.body)!), String(s)).toBe(true);
          }
          // every request runs the handler at most once (as the leader or in a rerun)
          expect(calls).toBeLessThanOrEqual(n);
          if (outcomes.every(cacheable)) expect(calls, String(s)).toBe(1);
          await cache.close();
          engine.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});

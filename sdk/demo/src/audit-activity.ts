/**
 * The demo's audited activity, for the panel's audit view: a small "accounts" cache with an audit log (a JSONL file
 * in the demo's directory, plus the most recent records in memory for the page) and a PII policy that rejects
 * personal data in the `profiles` namespace. Every few seconds a user's session is cached under their data subject
 * and erased (`eraseSubject`: an `erasure` record), and now and then someone tries to cache a profile with an
 * e-mail address (refused: a `pii.rejected` record).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AuditLog,
  type Cache,
  createCache,
  createPiiRedactor,
  jsonlAuditSink,
  openAuditLog,
  PiiRejectedError,
} from 'omnicache';
import { RecentAuditRecords } from './panel-data/recent-audit.js';

export interface AuditActivity {
  readonly cache: Cache;
  readonly recent: RecentAuditRecords;
  stop(): Promise<void>;
}

export async function startAuditActivity(dir: string, everyMs = 1500): Promise<AuditActivity> {
  const recent = new RecentAuditRecords(200);
  const audit: AuditLog = await openAuditLog({
    actor: 'omnicache-demo',
    sinks: [jsonlAuditSink({ path: join(dir, 'audit.jsonl') }), recent],
  });
  const cache = createCache({
    name: 'demo-accounts',
    l1: { capacity: 500 },
    security: {
      audit,
      redactor: createPiiRedactor(),
      values: { default: 'allow', namespaces: { profiles: 'reject' } },
    },
  });
  const stopping = new AbortController();
  const loop = (async () => {
    for (let i = 1; !stopping.signal.aborted; i++) {
      const user = `user-${1000 + (i % 37)}`;
      try {
        await cache.set(`session:${user}`, { cart: i % 5 }, { subject: user, ttl: 60_000 });
        if (i % 2 === 0) await cache.eraseSubject(user);
        if (i % 3 === 0) await cache.namespace('profiles').set(user, { email: `${user}@example.com` });
      } catch (error) {
        if (!(error instanceof PiiRejectedError)) throw error;
      }
      await sleep(everyMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return {
    cache,
    recent,
    async stop() {
      stopping.abort();
      await loop.catch(() => undefined);
      await cache.close();
      await audit.close();
    },
  };
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache.js';
import { Codec } from '../../src/codec/codec.js';
import { ConfigError, PiiRejectedError } from '../../src/errors.js';
import { openAuditLog } from '../../src/security/audit/audit-log.js';
import { jsonlAuditSink } from '../../src/security/audit/jsonl-sink.js';
import { createPiiRedactor } from '../../src/security/pii/redactor.js';
import { FakeTier } from '../helpers/fake-tier.js';
import { ring } from './keys.js';

describe('value policy per namespace', () => {
  const redactor = createPiiRedactor({ key: 'value-policy-test-key-000' });

  it('allow stores as is, redact stores markers in every tier, reject refuses and audits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicache-vp-'));
    const path = join(dir, 'audit.jsonl');
    const audit = await openAuditLog({ sinks: [jsonlAuditSink({ path })] });
    const l2 = new FakeTier('redis');
    const cache = createCache({
      name: 'app',
      l1: { capacity: 10 },
      l2,
      security: {
        audit,
        redactor,
        values: { default: 'allow', namespaces: { logs: 'redact', users: 'reject' } },
      },
    });
    const v = { msg: 'login by alice@example.com from 10.0.0.7', n: 1 };
    await cache.set('a', v);
    expect(await cache.get('a')).toEqual(v);

    const logs = cache.namespace('logs');
    await logs.namespace('nested').set('b', v); // inherits 'redact'
    const redacted = {
      msg: `login by ${redactor.marker('email', 'alice@example.com')} from ${redactor.marker('ipv4', '10.0.0.7')}`,
      n: 1,
    };
    expect(await logs.namespace('nested').get('b')).toEqual(redacted);
    const stored = new Codec().decode(l2.data.get('app:logs:nested::b')!.value);
    expect(stored.value).toEqual(redacted);

    const users = cache.namespace('users');
    const err = await users.set('c', { email: 'bob@example.org' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PiiRejectedError);
    expect((err as PiiRejectedError).types).toEqual(['email']);
    expect((err as Error).message).not.toContain('bob@example.org');
    expect(await users.get('c')).toBeUndefined();
    expect(l2.data.has('app:users::c')).toBe(false);
    await users.set('d', { id: 42 }); // no PII: accepted
    // loaders go through the same policy
    await expect(
      users.getOrSet('e', () => 'call +1 415 555 2671 or carol@example.net'),
    ).rejects.toBeInstanceOf(PiiRejectedError);
    await audit.close();
    const recs = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(recs.map((r) => [r.action, r.target, r.outcome, r.details])).toEqual([
      ['pii.rejected', 'users:c', 'denied', { types: ['email'] }],
      ['pii.rejected', 'users:e', 'denied', { types: ['email'] }],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("encrypt seals the namespace's values in remote tiers (scope 'policy'), the rest stays clear", async () => {
    const l2 = new FakeTier('redis');
    const provider = ring('k1');
    const cache = createCache({
      name: 'app',
      l1: { capacity: 10 },
      l2,
      encryption: { provider, scope: 'policy' },
      security: { redactor, values: { namespaces: { users: 'encrypt' } } },
    });
    const v = { email: 'alice@example.com' };
    await cache.set('plain', v);
    await cache.namespace('users').namespace('p').set('sealed', v); // inherits 'encrypt'
    const clear = new Codec();
    expect(clear.decode(l2.data.get('app::plain')!.value).value).toEqual(v);
    const sealed = l2.data.get('app:users:p::sealed')!.value;
    expect(Buffer.from(sealed).includes('alice@example.com')).toBe(false);
    expect(() => clear.decode(sealed)).toThrow(/encrypted/);
    // Read back through the remote tier (fresh L1): opened with the key ring.
    await cache.close();
    const again = createCache({
      name: 'app',
      l1: { capacity: 10 },
      l2,
      encryption: { provider, scope: 'policy' },
      security: { redactor, values: { namespaces: { users: 'encrypt' } } },
    });
    expect(await again.namespace('users').namespace('p').get('sealed')).toEqual(v);
    expect(await again.get('plain')).toEqual(v);
    // A value stored in the clear where the policy says 'encrypt' (a downgrade) is not served.
    l2.data.set('app:users:p::forged', { ...l2.data.get('app::plain')! });
    expect(await again.namespace('users').namespace('p').get('forged')).toBeUndefined();
    await again.close();
  });

  it("'encrypt' needs encryption, scope 'policy' needs an 'encrypt' namespace; unknown modes are refused", () => {
    expect(() =>
      createCache({
        name: 'x',
        l1: { capacity: 1 },
        security: { values: { namespaces: { a: 'encrypt' } } },
      }),
    ).toThrow(/'encrypt' needs value encryption/);
    expect(() =>
      createCache({
        name: 'x',
        l1: { capacity: 1 },
        encryption: { provider: ring('k1'), scope: 'policy' },
        security: { values: { default: 'redact' } },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      createCache({ name: 'x', l1: { capacity: 1 }, security: { values: { default: 'nope' as 'redact' } } }),
    ).toThrow(/unknown value policy "nope"/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { phoneDetector } from '../../src/pii-phone.js';
import { BoundedVerdicts } from '../../src/security/pii/bounded-verdicts.js';
import { createPiiRedactor } from '../../src/security/pii/redactor.js';
import { createPiiScanner } from '../../src/security/pii/scanner.js';
import type { PiiType } from '../../src/security/pii/types.js';

const scanner = createPiiScanner({ phone: phoneDetector() });
const found = (text: string) => scanner.scan(text).map((f) => [f.type, text.slice(f.start, f.end)]);
const only = (type: PiiType, value: string) => expect(found(`x ${value} y`)).toEqual([[type, value]]);
const none = (text: string) => expect(found(text)).toEqual([]);

describe('PII detectors', () => {
  it('email, not asset names or handles', () => {
    only('email', 'alice.smith+news@mail.example.co.uk');
    only('email', 'BOB@EXAMPLE.ORG');
    none('icon@2x.png logo@3x.webp user@localhost @alice a..b@example.com');
  });

  it('credit_card: Luhn, brand prefix and length, with or without groups', () => {
    only('credit_card', '4111111111111111');
    only('credit_card', '4111 1111 1111 1111');
    only('credit_card', '5500-0000-0000-0004');
    only('credit_card', '3782 822463 10005'); // Amex 4-6-5
    only('credit_card', '6011000990139424');
    none('4111 1111 1111 1112'); // fails Luhn
    none('9111111111111111'); // no brand starts with 9
    none('4111 11 1111 1111 1111'); // groups nobody writes
  });

  it('iban: mod-97 and the country length, compact or in groups of four', () => {
    only('iban', 'DE89370400440532013000');
    only('iban', 'DE89 3704 0044 0532 0130 00');
    only('iban', 'GB82 WEST 1234 5698 7654 32');
    none('DE89 3704 0044 0532 0130 01'); // fails mod-97
    none('DE8937040044053201300'); // one character short for DE
    none('XX89370400440532013000'); // no such country
  });

  it('us_ssn: valid area, group and serial only', () => {
    only('us_ssn', '078-05-1120');
    none('000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000');
  });

  it('ipv4 and ipv6 (full, compressed, IPv4-mapped), not versions, times or MACs', () => {
    only('ipv4', '192.168.0.1');
    none('999.1.1.1 v1.2.3.4 1.2.3 10.0.0.1.5');
    only('ipv6', '2001:0db8:85a3:0000:0000:8a2e:0370:7334');
    only('ipv6', '2001:db8::1');
    only('ipv6', '::1');
    only('ipv6', '::ffff:192.0.2.128');
    none('12:30:45 00:1A:2B:3C:4D:5E nginx:1.25');
    expect(found('at fe80::1: timeout')).toEqual([['ipv6', 'fe80::1']]);
  });

  it('jwt (header must decode to JSON with alg) and api tokens', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    only('jwt', jwt);
    none('eyJub3Rqc29u.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc');
    only('api_token', 'AKIAIOSFODNN7EXAMPLE');
    only('api_token', `ghp_${'a'.repeat(36)}`);
    only('api_token', 'xoxb-123456789012-1234567890123-abcdefABCDEF123456');
    only('api_token', `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`);
    only('api_token', `AIza${'SyA-1234567890abcdefghijklmnopqrstu'}`);
    none('AKIAiosfodnn7example ghp_short');
  });

  it('phone: E.164 and national formats of US, UK, DE, FR, ES, IT, NL, IN, BR', () => {
    for (const p of [
      '+1 415 555 2671',
      '(415) 555-2671',
      '+44 20 7946 0958',
      '020 7946 0958',
      '07911 123456',
      '030 12345678',
      '+49 151 23456789',
      '06 12 34 56 78',
      '+33 6 12 34 56 78',
      '612 345 678',
      '+34 612 34 56 78',
      '312 345 6789',
      '06 1234 5678',
      '06-12345678',
      '+31 6 12345678',
      '98765 43210',
      '+91 98765 43210',
      '(11) 91234-5678',
      '+55 11 91234-5678',
      '+14155552671',
    ]) {
      only('phone', p);
    }
    none('ISBN 0-306-40615-2, 2024-01-15, order #02945471, lat 164.661086, ref 2625 9146 0300 1000 3770');
  });

  it('resolves overlaps by type priority and returns findings in text order', () => {
    const text = 'mail a@10.0.0.1.example.com then 4111 1111 1111 1111 and +1 415 555 2671';
    const types = scanner.scan(text).map((f) => f.type);
    expect(types).toEqual(['email', 'credit_card', 'phone']);
  });

  it('never reports overlapping or out-of-range findings (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.array(fc.constantFrom('a@b.io', ' 4111111111111111 ', '10.0.0.1', '::1', '+44 20 7946 0958')),
        (noise, values) => {
          const text = values.reduce((t, v, i) => t + noise.slice(i * 5, i * 5 + 5) + v, noise);
          const fs = scanner.scan(text);
          for (let i = 0; i < fs.length; i++) {
            const f = fs[i]!;
            expect(f.start).toBeGreaterThanOrEqual(0);
            expect(f.end).toBeLessThanOrEqual(text.length);
            expect(f.end).toBeGreaterThan(f.start);
            if (i > 0) expect(f.start).toBeGreaterThanOrEqual(fs[i - 1]!.end);
          }
        },
      ),
    );
  });
});

describe('phone verdict cache', () => {
  it('gives the same findings with and without the cache, on first and repeated sightings', () => {
    const cached = createPiiScanner({ phone: phoneDetector({ cacheSize: 8 }) });
    const uncached = createPiiScanner({ phone: phoneDetector({ cacheSize: 0 }) });
    const lines = [
      'call +44 20 7946 0958 or 020 7946 0958',
      'ISBN 0-306-40615-2 and 06 12 34 56 78',
      'order #02945471, (415) 555-2671, 98765 43210',
      'ref 2625 9146 0300 1000 3770 then 612 345 678',
    ];
    // Three rounds over more distinct candidates than the cache holds: entries are evicted and re-validated.
    for (let round = 0; round < 3; round++) {
      for (const l of lines) expect(cached.scan(l)).toEqual(uncached.scan(l));
    }
  });

  it('stays bounded and refuses a bad size', () => {
    const v = new BoundedVerdicts(3);
    for (let i = 0; i < 10; i++) v.set(`n${i}`, i % 2 === 0);
    expect(v.size).toBe(3);
    expect(v.get('n0')).toBeUndefined();
    expect(v.get('n9')).toBe(false);
    expect(v.get('n8')).toBe(true);
    const off = new BoundedVerdicts(0);
    off.set('x', true);
    expect(off.get('x')).toBeUndefined();
    expect(() => phoneDetector({ cacheSize: -1 })).toThrow(ConfigError);
    expect(() => phoneDetector({ cacheSize: 1.5 })).toThrow(/cacheSize/);
    expect(() => phoneDetector({ engine: 'fast' as 'compiled' })).toThrow(/engine/);
  });
});

describe('scanner and redactor options', () => {
  it('phone needs the detector from omnicache/pii-phone; unknown types are refused', () => {
    expect(() => createPiiScanner({ types: ['phone'] })).toThrow(/omnicache\/pii-phone/);
    expect(() => createPiiScanner({ types: ['passport' as PiiType] })).toThrow(ConfigError);
    expect(createPiiScanner().types).not.toContain('phone');
    expect(
      createPiiScanner({ types: ['email'] })
        .scan('a@b.io 10.0.0.1')
        .map((f) => f.type),
    ).toEqual(['email']);
  });

  it('redacts with keyed markers: stable for one key, different across keys, value-specific', () => {
    const a = createPiiRedactor({ key: 'k'.repeat(32) });
    const b = createPiiRedactor({ key: 'j'.repeat(32) });
    const text = 'from alice@example.com and bob@example.com, again alice@example.com';
    const out = a.redact(text);
    expect(out).toMatch(/^from <email:[0-9a-f]{6}> and <email:[0-9a-f]{6}>, again <email:[0-9a-f]{6}>$/);
    const markers = out.match(/<email:[0-9a-f]{6}>/g)!;
    expect(markers[0]).toBe(markers[2]);
    expect(markers[0]).not.toBe(markers[1]);
    expect(createPiiRedactor({ key: 'k'.repeat(32) }).redact(text)).toBe(out);
    expect(b.redact(text)).not.toBe(out);
    expect(a.redact('nothing here')).toBe('nothing here');
    expect(a.redactValue({ 'a@b.io': ['10.0.0.1', 3], n: null })).toEqual({
      [a.marker('email', 'a@b.io')]: [a.marker('ipv4', '10.0.0.1'), 3],
      n: null,
    });
    expect(() => createPiiRedactor({ key: 'short' })).toThrow(/at least 16/);
  });
});

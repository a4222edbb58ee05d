import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import {
  CompiledPhoneParser,
  FALLBACK,
  type ParsedPhone,
} from '../../src/security/pii/compiled-phone-parser.js';
import type { CountryCode } from '../../src/security/pii/libphonenumber.js';
import { LIBPHONENUMBER_VERSION } from '../../src/security/pii/libphonenumber.js';
import {
  DEFAULT_PHONE_REGIONS,
  PORTED_LIBPHONENUMBER,
  phoneEngine,
} from '../../src/security/pii/phone-detector.js';

const parser = new CompiledPhoneParser();

/** What the phone detector reads of a parse. */
function readable(n: ParsedPhone | undefined) {
  return n === undefined
    ? undefined
    : {
        cc: n.countryCallingCode,
        valid: n.isValid(),
        national: n.formatNational(),
        international: n.formatInternational(),
      };
}

function viaLibphonenumber(text: string, region?: CountryCode) {
  return readable(
    parsePhoneNumberFromString(
      text,
      region === undefined ? { extract: false } : { defaultCountry: region, extract: false },
    ),
  );
}

/** The compiled port, libphonenumber-js where it declines (as the detector does). */
function viaCompiled(text: string, region?: CountryCode) {
  const n = parser.parse(text, region);
  return n === FALLBACK ? viaLibphonenumber(text, region) : readable(n);
}

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
const separator = fc.constantFrom('', ' ', '-', '.', '/', '  ', ' - ');

/** Numbers in the shapes the detector's candidate pattern produces: +CC / 00CC / trunk 0 / (area), grouped. */
const candidate = fc
  .tuple(
    fc.constantFrom('', '+', '00', '0', '(0', '('),
    fc.constantFrom('', '1', '44', '49', '33', '34', '39', '31', '91', '55', '7', '352', '800', '262'),
    fc.array(fc.tuple(digits(1, 5), separator), { minLength: 1, maxLength: 5 }),
  )
  .map(([prefix, cc, groups]) => {
    let s = prefix + cc;
    if (prefix.startsWith('(')) s += ')';
    for (const [g, sep] of groups) s += sep + g;
    return s.trim();
  })
  .filter((s) => /\d/.test(s));

describe('compiled libphonenumber-js parse', () => {
  it('agrees with libphonenumber-js on random numbers, nationally for every default region and internationally', () => {
    fc.assert(
      fc.property(candidate, fc.constantFrom(undefined, ...DEFAULT_PHONE_REGIONS), (text, region) => {
        expect(viaCompiled(text, region), `${text} ${region ?? 'intl'}`).toEqual(
          viaLibphonenumber(text, region),
        );
      }),
      { numRuns: 4000 },
    );
  });

  it('agrees on numbers valid in each default region (libphonenumber-js example numbers, regrouped)', () => {
    const samples = [
      ['US', '(201) 555-0123'],
      ['US', '1 212 555 0100'],
      ['US', '011 44 20 7946 0958'],
      ['GB', '020 7946 0958'],
      ['GB', '07911 123456'],
      ['GB', '07781 123456'],
      ['GB', '44 20 7946 0958'],
      ['DE', '030 123456789'],
      ['DE', '0151 23456789'],
      ['DE', '49 30 12345678'],
      ['FR', '01 23 45 67 89'],
      ['FR', '06 12 34 56 78'],
      ['ES', '612 345 678'],
      ['ES', '912 345 678'],
      ['IT', '06 1234 5678'],
      ['IT', '312 345 6789'],
      ['NL', '020 123 4567'],
      ['NL', '06 12345678'],
      ['IN', '98765 43210'],
      ['IN', '011 2345 6789'],
      ['IN', '91 98765 43210'],
      ['BR', '(11) 91234-5678'],
      ['BR', '0 21 2345 6789'],
      ['BR', '0 15 11 91234 5678'],
      [undefined, '+1 416 555 0199'],
      // Countries sharing a calling code, told apart by leading digits or number types.
      [undefined, '+1 268 464 1234'],
      [undefined, '+1 876 555 1234'],
      [undefined, '+44 7624 123456'],
      [undefined, '+44 7781 123456'],
      [undefined, '+7 701 123 4567'],
      [undefined, '+39 06 698 12345'],
      ['GB', '07624 123456'],
      ['US', '(268) 464-1234'],
      [undefined, '+44 1481 712345'],
      [undefined, '+7 912 345 67 89'],
      [undefined, '+800 1234 5678'],
      [undefined, '+0 123 456 789'],
    ] as const;
    for (const [region, text] of samples) {
      expect(viaCompiled(text, region), `${text} ${region ?? 'intl'}`).toEqual(
        viaLibphonenumber(text, region),
      );
    }
  });

  it('leaves shapes it does not port to libphonenumber-js', () => {
    expect(parser.parse('+44 20 7946 0958 ext. 12')).toBe(FALLBACK);
    expect(parser.parse('+800 1234 5678')).toBe(FALLBACK);
    expect(parser.parse('１２３４５６７')).toBe(FALLBACK);
  });
});

describe('engine choice by the installed libphonenumber-js version', () => {
  it('ports the installed minor version (else the tests above compare against another version)', () => {
    expect(LIBPHONENUMBER_VERSION.startsWith(`${PORTED_LIBPHONENUMBER}.`)).toBe(true);
  });

  it('defaults to compiled only on the ported minor; refuses compiled on another; keeps libphonenumber', () => {
    expect(phoneEngine(undefined, '1.13.16')).toBe('compiled');
    expect(phoneEngine(undefined, '1.12.9')).toBe('libphonenumber');
    expect(phoneEngine(undefined, '1.14.0')).toBe('libphonenumber');
    expect(phoneEngine('libphonenumber', '1.13.2')).toBe('libphonenumber');
    expect(() => phoneEngine('compiled', '1.14.0')).toThrow(
      /install libphonenumber-js@1\.13|engine 'libphonenumber'/,
    );
    expect(() => phoneEngine('fast', '1.13.16')).toThrow(/engine must be/);
  });
});

import { ConfigError } from '../../errors.js';
import { BoundedVerdicts } from './bounded-verdicts.js';
import { CompiledPhoneParser, FALLBACK, type ParsedPhone } from './compiled-phone-parser.js';
import { continuesDigitRun } from './digit-runs.js';
import { type CountryCode, LIBPHONENUMBER_VERSION, parsePhoneNumberFromString } from './libphonenumber.js';
import type { PiiDetector, PiiFinding } from './types.js';

/** National formats recognised by default (besides E.164 / international `+CC` numbers, which work for every country). */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'IN',
  'BR',
];

export interface PhoneDetectorOptions {
  /** Countries whose national formats (no `+CC`) are recognised. Default DEFAULT_PHONE_REGIONS. */
  regions?: readonly CountryCode[];
  /**
   * How many parsed candidates (as written, e.g. `"+44 20 7946 0958"`) to remember, so a number seen again skips
   * validation. Default 0 (off): with the default engine a validation costs about 1 µs, so the memo gains only when
   * the same numbers repeat (measured: +10-20 % throughput then, within noise when every number is new), and each
   * remembered candidate keeps the whole text it was found in alive. Worth turning on for repetitive logs or with
   * engine 'libphonenumber'.
   */
  cacheSize?: number;
  /**
   * How candidates are validated. 'compiled' (default): libphonenumber-js's parsing and validation rules run over
   * its metadata with the patterns compiled once (about 1 µs a candidate); 'libphonenumber': libphonenumber-js's
   * own parsePhoneNumberFromString + isValid() on every candidate (about 10 µs). Same findings (tested over the
   * corpus and random numbers); the second is the reference.
   */
  engine?: 'compiled' | 'libphonenumber';
}

/**
 * Phone-number candidates: an optional `+CC` / `00CC`, an optional area code in parentheses, then digits and the
 * separators people type (space, dot, dash, slash), 7 to 17 digits in all, not glued to letters or other digits,
 * and never stopping in the middle of a space-separated run of digit groups (a reference number's tail is not a
 * phone number).
 */
const CANDIDATE =
  /(?<![\w+/.#-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d(?:[ ./-]{0,2}\d){6,16}(?![\w]|[./-]\d| \d{1,5}(?![\w:.-]))/g;

/** Digit counts of the groups a number is written in (separators: space . / ( ) -; a leading + is no separator). */
function groupsOf(text: string): number[] {
  const out: number[] = [];
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
    else if (c !== 43 && n > 0) {
      out.push(n);
      n = 0;
    }
  }
  if (n > 0) out.push(n);
  return out;
}

/** Cumulative digit counts at which a grouping starts a new group. */
function boundaries(groups: readonly number[]): Set<number> {
  const out = new Set<number>();
  let n = 0;
  for (let i = 0; i < groups.length - 1; i++) {
    n += groups[i]!;
    out.add(n);
  }
  return out;
}

/**
 * Whether the written grouping fits how the number is formatted (libphonenumber's STRICT_GROUPING idea):
 * separators may be left out, but each one that is written must fall where the national or international format
 * has one. This is what keeps ISBNs, dates and order numbers that happen to be dialable from being reported.
 */
function groupingFits(
  candidate: string,
  written: readonly number[],
  n: ParsedPhone,
  international: boolean,
): boolean {
  if (written.length <= 1) return true;
  const formats = international ? [n.formatInternational()] : [n.formatNational()];
  const writtenCuts = boundaries(written);
  for (const f of formats) {
    const allowed = boundaries(groupsOf(f));
    if (international) {
      // "+44 20 7946 0958" and "0044 20 ..." both start with the country code group.
      const cc = n.countryCallingCode.length + (candidate.startsWith('00') ? 2 : 0);
      for (const c of [...allowed]) {
        allowed.delete(c);
        allowed.add(c - n.countryCallingCode.length + cc);
      }
    }
    let ok = true;
    for (const c of writtenCuts) {
      if (!allowed.has(c)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

/**
 * libphonenumber-js's parsePhoneNumberFromString on a whole candidate: with a default country for a nationally
 * written number, without one for an international number.
 */
export type PhoneParse = (text: string, defaultCountry?: CountryCode) => ParsedPhone | undefined;

/**
 * The candidate is the whole number: libphonenumber-js skips its find-a-number-in-text step (measured: about 3 % of
 * a validation; parsing is ~6 µs and isValid() ~3 µs whichever entry point is used, isValidPhoneNumber included).
 */
const WHOLE = { extract: false } as const;

/** libphonenumber-js itself (about 10 µs a candidate: it compiles its metadata's patterns on every call). */
export const libphonenumberParse: PhoneParse = (text, defaultCountry) =>
  parsePhoneNumberFromString(text, defaultCountry === undefined ? WHOLE : { defaultCountry, extract: false });

/**
 * The same parse over libphonenumber-js's metadata with its patterns compiled once (compiled-phone-parser.ts,
 * pinned to libphonenumber-js by a test); what it does not port goes to libphonenumber-js.
 */
export function compiledParse(): PhoneParse {
  const parser = new CompiledPhoneParser();
  return (text, defaultCountry) => {
    const n = parser.parse(text, defaultCountry);
    return n === FALLBACK ? libphonenumberParse(text, defaultCountry) : n;
  };
}

/** The libphonenumber-js minor version whose parse/isValid/format steps compiled-phone-parser.ts ports. */
export const PORTED_LIBPHONENUMBER = '1.13';

/**
 * The engine to use: 'compiled' by default when the installed libphonenumber-js is the ported minor version, else
 * 'libphonenumber' (its own rules, whatever they are in that version). Asking for 'compiled' on another version is
 * a ConfigError rather than a silent difference in findings.
 */
export function phoneEngine(requested: unknown, installed: string): 'compiled' | 'libphonenumber' {
  const ported = installed.startsWith(`${PORTED_LIBPHONENUMBER}.`);
  if (requested === undefined) return ported ? 'compiled' : 'libphonenumber';
  if (requested !== 'compiled' && requested !== 'libphonenumber') {
    throw new ConfigError(
      `phoneDetector engine must be 'compiled' or 'libphonenumber', got ${String(requested)}`,
    );
  }
  if (requested === 'compiled' && !ported) {
    throw new ConfigError(
      `phoneDetector engine 'compiled' ports libphonenumber-js ${PORTED_LIBPHONENUMBER}.x but ${installed} is installed: ` +
        `use engine 'libphonenumber' or install libphonenumber-js@${PORTED_LIBPHONENUMBER}`,
    );
  }
  return requested;
}

/**
 * The `phone` detector: candidates validated by libphonenumber-js's rules and metadata (number ranges per country,
 * not just lengths) as E.164 / international numbers or in the national format of one of `regions`.
 */
export function phoneDetector(options: PhoneDetectorOptions = {}): PiiDetector {
  const engine = phoneEngine(options.engine, LIBPHONENUMBER_VERSION);
  const parse = engine === 'compiled' ? compiledParse() : libphonenumberParse;
  const regions = options.regions ?? DEFAULT_PHONE_REGIONS;
  const cacheSize = options.cacheSize ?? 0;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new ConfigError(
      `phoneDetector cacheSize must be an integer >= 0, got ${String(options.cacheSize)}`,
    );
  }
  const verdicts = new BoundedVerdicts(cacheSize);
  let parses = 0;
  const counted: PhoneParse = (text, defaultCountry) => {
    parses++;
    return parse(text, defaultCountry);
  };
  const validate = (s: string): boolean => {
    if (cacheSize === 0) return isPhone(s, regions, parse);
    const known = verdicts.get(s);
    if (known !== undefined) return known;
    const before = parses;
    const verdict = isPhone(s, regions, counted);
    // Only verdicts that took a parse are worth a slot: the shape checks before it cost less than the memo.
    if (parses !== before) verdicts.set(s, verdict);
    return verdict;
  };
  return {
    type: 'phone',
    find(text: string, out: PiiFinding[]): void {
      // Findings of higher-priority types are already in `out` (the scanner runs phone last): candidates inside
      // them (card numbers, SSNs, IPs, IBANs) are not parsed at all, which is most of the cost saved.
      const taken = out.length;
      CANDIDATE.lastIndex = 0;
      for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
        const start = m.index;
        const end = start + m[0].length;
        const f = overlappingTaken(out, taken, start, end);
        if (f !== undefined) {
          // Every candidate starting inside a taken finding overlaps it too: resume after it.
          CANDIDATE.lastIndex = f.start <= start ? f.end : start + 1;
        } else if (!continuesIban(text, start) && !continuesDigitRun(text, start) && validate(m[0])) {
          out.push({ type: 'phone', start, end });
        } else {
          CANDIDATE.lastIndex = start + 1;
        }
      }
    },
  };
}

function overlappingTaken(
  out: readonly PiiFinding[],
  taken: number,
  start: number,
  end: number,
): PiiFinding | undefined {
  for (let i = 0; i < taken; i++) {
    const f = out[i]!;
    if (start < f.end && f.start < end) return f;
  }
  return undefined;
}

/** Digits right after an IBAN-shaped run of groups of four ("NL15 FPVX 5546 8436 79") belong to that run. */
const IBAN_RUN_BEFORE = /\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4})+ $/;

function continuesIban(text: string, start: number): boolean {
  if (start < 10 || text.charCodeAt(start - 1) !== 32) return false;
  // Cheap gate before the regex: the group before must end in an upper-case letter or digit.
  const c = text.charCodeAt(start - 2);
  if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  return IBAN_RUN_BEFORE.test(text.slice(Math.max(0, start - 48), start));
}

/** Decimals, dotted quads and Brazilian CPF numbers (`123.456.789-09`) are not phone numbers. */
const NOT_PHONE_SHAPES = /^(?:\d+\.\d+|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|\d{3}\.\d{3}\.\d{3}-\d{2})$/;

/**
 * What a nationally written number of each default region looks like (digits only, trunk prefix included): its
 * digit count and leading digits. Regions that cannot match are skipped before parsing (a cheaper check than the
 * parse, which still decides validity with libphonenumber-js's rules and metadata).
 */
const NATIONAL_SHAPE: Partial<Record<CountryCode, RegExp>> = {
  US: /^1?[2-9]\d{2}[2-9]\d{6}$/,
  // 01 area numbers have 9 or 10 national digits, 05 and 08 (0500, 0800) 9 or 10, 02, 03, 07 and 09 always 10;
  // 04 and 06 are unused.
  GB: /^0(?:[158]\d{8,9}|[2379]\d{9})$/,
  DE: /^0[1-9]\d{4,12}$/,
  FR: /^0[1-9]\d{8}$/,
  ES: /^[5-9]\d{8}$/,
  IT: /^(?:3\d{8,9}|0\d{5,10})$/,
  NL: /^0[1-9]\d{7,9}$/,
  IN: /^(?:[6-9]\d{9}|0[1-9]\d{8,10})$/,
  BR: /^0?[1-9]{2}9?\d{8}$/,
};

const NON_DIGITS = /\D+/g;

/** Countries where a number written nationally starts with the trunk prefix 0 (without it, it is not a national number). */
const TRUNK_ZERO = new Set<CountryCode>(['GB', 'DE', 'FR', 'NL']);
/** The US SSN shape (`078-05-1120`): never reported as a phone, valid SSN or not. */
const SSN_SHAPE = /^\d{3}([- ])\d{2}\1\d{4}$/;

/**
 * Groupings people use that no format rule describes ("612 345 678" in Spain, "98765 43210" in India): accepted
 * when every group written after the country code has 2 to 8 digits (ISBNs, with their 1-digit groups, do not).
 */
function plainGrouping(written: readonly number[], international: boolean): boolean {
  let from = 0;
  if (international) {
    // After the country code the first group may be a one-digit trunk ("+33 6 12 34 56 78", "+31 6 1234 5678").
    from = 1;
    if (written.length > 1 && written[1]! >= 1 && written[1]! <= 4) from = 2;
  }
  if (written.length - from > 5) return false;
  for (let i = from; i < written.length; i++) {
    const g = written[i]!;
    if (g < 2 || g > 8) return false;
  }
  return true;
}

function isPhone(s: string, regions: readonly CountryCode[], parse: PhoneParse): boolean {
  if (SSN_SHAPE.test(s) || NOT_PHONE_SHAPES.test(s)) return false;
  // Dots are rare in phone numbers and common in other numbers: a dotted number must follow the format exactly.
  const dotted = s.includes('.');
  const international = s.startsWith('+') || s.startsWith('00');
  const groups = groupsOf(s);
  if (international) {
    const n = parse(s.startsWith('00') ? `+${s.slice(2)}` : s);
    return (
      n?.isValid() === true && ((!dotted && plainGrouping(groups, true)) || groupingFits(s, groups, n, true))
    );
  }
  // ISBNs and part numbers end in a 1-digit group; phone formats never do. Rejected before any parsing.
  if (groups.length > 1 && groups[groups.length - 1] === 1) return false;
  const leadingZero = /^\(?0/.test(s);
  const digits = s.replace(NON_DIGITS, '');
  const plain = !dotted && plainGrouping(groups, false);
  for (const region of regions) {
    if (TRUNK_ZERO.has(region) && !leadingZero) continue;
    const shape = NATIONAL_SHAPE[region];
    if (shape !== undefined && !shape.test(digits)) continue;
    const n = parse(s, region);
    // Any country on the region's calling code counts (07911 is Guernsey on +44, 416 is Canada on +1).
    if (n === undefined || !n.isValid()) continue;
    if (plain || groupingFits(s, groups, n, false)) return true;
  }
  return false;
}

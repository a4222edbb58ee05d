import { isIPv4, isIPv6 } from 'node:net';
import { IBAN_LENGTHS, ibanMod97Valid, knownCardBrand, luhnValid, ssnValid } from './checksums.js';
import { continuesDigitRun } from './digit-runs.js';
import type { PiiDetector, PiiFinding, PiiType } from './types.js';

/**
 * The pattern-and-checksum detectors (every type but `phone`, which needs libphonenumber-js: see phone.ts).
 * Each one finds candidates with a cheap regular expression anchored on its own boundaries, then validates them
 * (checksum, ranges, structure) so look-alikes (order numbers, UUIDs, hashes, version strings, ISBNs, numbers
 * that fail Luhn or mod-97) are not reported.
 */

function regexDetector(
  type: PiiType,
  pattern: RegExp,
  accept: (m: RegExpExecArray, text: string) => boolean,
  /** Cheap precondition on the whole text (skips the regex when the text cannot contain a match). */
  may?: (text: string) => boolean,
): PiiDetector {
  if (!pattern.global) throw new Error('detector patterns must be global');
  return {
    type,
    find(text: string, out: PiiFinding[]): void {
      if (may !== undefined && !may(text)) return;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        if (accept(m, text)) out.push({ type, start: m.index, end: m.index + m[0].length });
        // A rejected candidate may hide a real value starting inside it (a card after an invalid SSN).
        else pattern.lastIndex = m.index + 1;
      }
    },
  };
}

/** File extensions that follow `name@2x.` in asset names and are not top-level domains people mail to. */
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'bmp',
  'ico',
  'tif',
  'tiff',
  'avif',
  'heic',
  'pdf',
  'js',
  'mjs',
  'cjs',
  'ts',
  'css',
  'scss',
  'html',
  'htm',
  'json',
  'xml',
  'txt',
  'csv',
  'md',
  'mp3',
  'mp4',
  'mov',
  'wav',
  'ogg',
  'webm',
  'zip',
  'gz',
  'tgz',
  'tar',
  'woff',
  'woff2',
  'ttf',
  'otf',
]);

export const emailDetector: PiiDetector = regexDetector(
  'email',
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-])/g,
  (m) => {
    if (m[0].includes('..')) return false;
    return !FILE_EXTENSIONS.has(m[1]!.toLowerCase());
  },
  (t) => t.includes('@'),
);

/** Groupings people write card numbers in (besides no separators at all). */
const CARD_GROUPINGS = new Set([
  '4,4,4,4',
  '4,6,5',
  '4,6,4',
  '4,4,4,4,3',
  '4,4,4,1',
  '4,4,5',
  '4,4,4,2',
  '4,4,4,3',
]);

export const creditCardDetector: PiiDetector = regexDetector(
  'credit_card',
  /(?<![0-9A-Za-z.,-])\d(?:[ -]?\d){11,18}(?![0-9A-Za-z]|[.,-]\d| \d{3,4}(?![0-9A-Za-z]))/g,
  (m, text) => {
    if (continuesDigitRun(text, m.index)) return false;
    const s = m[0];
    const digits = s.includes(' ') || s.includes('-') ? s.replace(/[ -]/g, '') : s;
    // Luhn first: it rejects nine in ten look-alikes before the grouping check allocates.
    if (!luhnValid(digits) || !knownCardBrand(digits)) return false;
    if (digits.length !== s.length) {
      const sep = s.includes(' ') ? ' ' : '-';
      if (s.includes(' ') && s.includes('-')) return false;
      const groups = s.split(sep).map((g) => g.length);
      if (!CARD_GROUPINGS.has(groups.join(','))) return false;
    }
    return true;
  },
);

const IBAN_START = /(?<![A-Za-z0-9])([A-Z]{2})(\d{2})(?=[ ]?[A-Z0-9])/g;

/** IBANs compact (`DE89370400440532013000`) or printed in groups of four (`DE89 3704 0044 0532 0130 00`). */
export const ibanDetector: PiiDetector = {
  type: 'iban',
  find(text: string, out: PiiFinding[]): void {
    IBAN_START.lastIndex = 0;
    for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
      const length = IBAN_LENGTHS[m[1]!];
      if (length === undefined) continue;
      const start = m.index;
      let i = start + 4;
      let count = 4;
      let compact = m[0];
      const grouped = text.charCodeAt(i) === 32;
      while (count < length && i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 32) {
          // Spaces only between groups of four.
          if (!grouped || count % 4 !== 0 || text.charCodeAt(i - 1) === 32) break;
          i++;
          continue;
        }
        if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
        compact += text[i];
        count++;
        i++;
      }
      if (count !== length) continue;
      const next = text.charCodeAt(i);
      if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) continue;
      if (!grouped && text.charCodeAt(start + 4) === 32) continue;
      if (!ibanMod97Valid(compact)) continue;
      out.push({ type: 'iban', start, end: i });
      IBAN_START.lastIndex = i;
    }
  },
};

export const usSsnDetector: PiiDetector = regexDetector(
  'us_ssn',
  /(?<![0-9A-Za-z-])(\d{3})([- ])(\d{2})\2(\d{4})(?![0-9A-Za-z]|-\d)/g,
  (m) => ssnValid(Number(m[1]), Number(m[3]), Number(m[4])),
);

export const ipv4Detector: PiiDetector = regexDetector(
  'ipv4',
  /(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z]|\.\d)/g,
  (m) => isIPv4(m[0]),
  (t) => t.includes('.'),
);

const IPV6_CANDIDATE =
  /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){1,7}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z]|[.:][0-9A-Za-z:])/g;

/** IPv6 full, compressed (`::`), and with an embedded IPv4 tail; validated by node:net. */
export const ipv6Detector: PiiDetector = {
  type: 'ipv6',
  find(text: string, out: PiiFinding[]): void {
    if (!text.includes(':')) return;
    IPV6_CANDIDATE.lastIndex = 0;
    for (let m = IPV6_CANDIDATE.exec(text); m !== null; m = IPV6_CANDIDATE.exec(text)) {
      let s = m[0];
      // A single trailing colon belongs to the sentence ("at fe80::1: timeout"), not to the address.
      if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
      if (isIPv6(s) && /[0-9A-Fa-f]/.test(s))
        out.push({ type: 'ipv6', start: m.index, end: m.index + s.length });
      else IPV6_CANDIDATE.lastIndex = m.index + 1;
    }
  },
};

function decodesToJwtHeader(segment: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return (
      typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

export const jwtDetector: PiiDetector = regexDetector(
  'jwt',
  /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{5,})\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-]|\.[A-Za-z0-9_-])/g,
  (m) => decodesToJwtHeader(m[1]!),
  (t) => t.includes('eyJ'),
);

/** AWS access key ids, GitHub tokens, Slack tokens, Stripe keys, Google API keys. */
export const apiTokenDetector: PiiDetector = regexDetector(
  'api_token',
  /(?<![A-Za-z0-9_-])(?:(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z2-7]{16}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}|xox[abposr]-(?:[A-Za-z0-9]+-){1,4}[A-Za-z0-9]{6,}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,99}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
  () => true,
);

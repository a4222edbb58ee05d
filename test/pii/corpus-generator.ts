/**
 * Seeded generator of the labelled PII corpus (test/pii/pii-corpus.jsonl). Every record is one line of text with
 * the exact spans of the PII it contains; the values are built here from the formats people write (independently
 * of the detectors: own Luhn/mod-97 arithmetic, hand-listed phone ranges), mixed with look-alike negatives that
 * must not be reported: order numbers, UUIDs, version strings, ISBNs, tracking numbers, hashes, card numbers that
 * fail Luhn, IBANs that fail mod-97, impossible SSNs and IPs, asset names like icon@2x.png, times, MACs, dates.
 *
 * Regenerate: node --import tsx test/pii/write-corpus.ts (a test checks the committed file is this output).
 */

import { mulberry32 as rng } from '@omnicache/demo/workload';
import { PII_TYPES, type PiiType } from 'omnicache';

export interface LabelledSpan {
  type: PiiType;
  start: number;
  end: number;
}

export interface CorpusRecord {
  text: string;
  findings: LabelledSpan[];
}

export const CORPUS_SEED = 20261130;
export const CORPUS_SIZE = 2400;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rand, n: number) => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
const chars = (r: Rand, alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';
const B64URL = `${ALNUM}-_`;

function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const v = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

// ------------------------------------------------------------------ positives

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'maria',
  'li',
  'sofia',
  'jan',
  'priya',
  'joão',
];
const LAST = [
  'smith',
  'jones',
  'garcia',
  'müller',
  'rossi',
  'dubois',
  'kumar',
  'silva',
  'devries',
  'brown',
  'okafor',
];
const DOMAINS = [
  'example.com',
  'mail.example.org',
  'corp.example.co.uk',
  'uni-example.de',
  'example.fr',
  'example.io',
  'shop.example.com.br',
  'example.in',
  'example.nl',
  'example.it',
  'example.es',
];

function email(r: Rand): string {
  const f = pick(r, FIRST).replace(/[^a-z]/g, 'o');
  const l = pick(r, LAST).replace(/[^a-z]/g, 'u');
  const local = pick(r, [
    `${f}.${l}`,
    `${f}${int(r, 1, 99)}`,
    `${f[0]}${l}`,
    `${f}+news`,
    `${f}_${l}`,
    `${l}.${f}-ops`,
  ]);
  const e = `${local}@${pick(r, DOMAINS)}`;
  return r() < 0.1 ? e.toUpperCase() : e;
}

function card(r: Rand, valid = true): string {
  const brand = int(r, 0, 5);
  let prefix: string;
  let length: number;
  let groups: number[];
  switch (brand) {
    case 0:
      prefix = '4';
      length = 16;
      groups = [4, 4, 4, 4];
      break;
    case 1:
      prefix = String(int(r, 51, 55));
      length = 16;
      groups = [4, 4, 4, 4];
      break;
    case 2:
      prefix = String(int(r, 2221, 2720));
      length = 16;
      groups = [4, 4, 4, 4];
      break;
    case 3:
      prefix = pick(r, ['34', '37']);
      length = 15;
      groups = [4, 6, 5];
      break;
    case 4:
      prefix = pick(r, ['6011', '65']);
      length = 16;
      groups = [4, 4, 4, 4];
      break;
    default:
      prefix = String(int(r, 3528, 3589));
      length = 16;
      groups = [4, 4, 4, 4];
  }
  const body = prefix + digits(r, length - prefix.length - 1);
  let check = luhnCheckDigit(body);
  if (!valid) check = (check + int(r, 1, 9)) % 10;
  const number = body + String(check);
  const sep = pick(r, ['', ' ', '-']);
  if (sep === '') return number;
  const parts: string[] = [];
  let at = 0;
  for (const g of groups) {
    parts.push(number.slice(at, at + g));
    at += g;
  }
  return parts.join(sep);
}

const IBAN_COUNTRIES: Readonly<Record<string, (r: Rand) => string>> = {
  DE: (r) => digits(r, 18),
  GB: (r) => chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 4) + digits(r, 14),
  FR: (r) => digits(r, 10) + chars(r, UPPER_DIGITS, 11) + digits(r, 2),
  ES: (r) => digits(r, 20),
  IT: (r) => chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + digits(r, 10) + chars(r, UPPER_DIGITS, 12),
  NL: (r) => chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 4) + digits(r, 10),
  BE: (r) => digits(r, 12),
  CH: (r) => digits(r, 5) + chars(r, UPPER_DIGITS, 12),
  PL: (r) => digits(r, 24),
  AT: (r) => digits(r, 16),
};

function iban(r: Rand, valid = true): string {
  const cc = pick(r, Object.keys(IBAN_COUNTRIES));
  const bban = IBAN_COUNTRIES[cc]!(r);
  let check = 98 - mod97(`${bban}${cc}00`);
  if (!valid) check = ((check + int(r, 1, 90) - 2) % 97) + 2;
  const compact = `${cc}${String(check).padStart(2, '0')}${bban}`;
  if (r() < 0.5) return compact;
  return compact.replace(/(.{4})/g, '$1 ').trim();
}

function ssn(r: Rand, valid = true): string {
  let area = int(r, 1, 899);
  if (area === 666) area = 665;
  let group = int(r, 1, 99);
  let serial = int(r, 1, 9999);
  if (!valid) {
    const how = int(r, 0, 3);
    if (how === 0) area = 0;
    else if (how === 1) area = 666;
    else if (how === 2) area = int(r, 900, 999);
    else if (r() < 0.5) group = 0;
    else serial = 0;
  }
  const sep = r() < 0.85 ? '-' : ' ';
  return `${String(area).padStart(3, '0')}${sep}${String(group).padStart(2, '0')}${sep}${String(serial).padStart(4, '0')}`;
}

function ipv4(r: Rand): string {
  return pick(r, [
    () => `192.168.${int(r, 0, 255)}.${int(r, 1, 254)}`,
    () => `10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
    () => `172.${int(r, 16, 31)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
    () => `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 0, 255)}`,
  ])();
}

function ipv6(r: Rand): string {
  const g = () => chars(r, HEX, int(r, 1, 4)).replace(/^0+(?=.)/, '');
  const full = () => Array.from({ length: 8 }, () => chars(r, HEX, 4)).join(':');
  return pick(r, [
    full,
    () => `2001:db8::${g()}:${g()}`,
    () => `fe80::${g()}:${g()}:${g()}:${g()}`,
    () => `2a02:${g()}:${g()}::${g()}`,
    () => '::1',
    () => `::ffff:${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
    () => `${g()}:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`,
  ])();
}

function b64url(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

function jwt(r: Rand): string {
  const header = b64url(
    pick(r, [
      { alg: 'HS256', typ: 'JWT' },
      { alg: 'RS256', typ: 'JWT', kid: chars(r, HEX, 8) },
      { typ: 'JWT', alg: 'ES256' },
    ]),
  );
  const payload = b64url({
    sub: `user-${int(r, 1, 99999)}`,
    iat: 1700000000 + int(r, 0, 9999999),
    scope: pick(r, ['read', 'write', 'admin']),
  });
  return `${header}.${payload}.${chars(r, B64URL, pick(r, [43, 86, 342]))}`;
}

function apiToken(r: Rand): string {
  return pick(r, [
    () => `AKIA${chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    () => `ASIA${chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    () => `${pick(r, ['ghp', 'gho', 'ghs', 'ghu', 'ghr'])}_${chars(r, ALNUM, 36)}`,
    () => `github_pat_${chars(r, ALNUM, 22)}_${chars(r, ALNUM, 59)}`,
    () => `xoxb-${digits(r, 12)}-${digits(r, 13)}-${chars(r, ALNUM, 24)}`,
    () => `xoxp-${digits(r, 12)}-${digits(r, 12)}-${digits(r, 13)}-${chars(r, HEX, 32)}`,
    () =>
      `${pick(r, ['sk', 'pk', 'rk'])}_${pick(r, ['live', 'test'])}_${chars(r, ALNUM, pick(r, [24, 34, 99]))}`,
    () => `AIza${chars(r, B64URL, 35)}`,
  ])();
}

/** Phone numbers as people write them, per country, from ranges in service (national and international forms). */
const PHONES: readonly ((r: Rand) => string)[] = [
  // US
  (r) => {
    const a = pick(r, ['212', '415', '312', '617', '206', '303', '512', '702', '305', '404', '646', '213']);
    const x = `${int(r, 2, 9)}${digits(r, 2)}`.replace(/11$/, '12');
    const n = digits(r, 4);
    return pick(r, [
      `(${a}) ${x}-${n}`,
      `${a}-${x}-${n}`,
      `${a}.${x}.${n}`,
      `+1 ${a} ${x} ${n}`,
      `+1-${a}-${x}-${n}`,
      `+1 (${a}) ${x}-${n}`,
    ]);
  },
  // UK
  (r) => {
    if (r() < 0.5) {
      const m = `7${pick(r, ['4', '5', '7', '8', '9'])}${digits(r, 2)}`;
      const rest = digits(r, 6);
      return pick(r, [`0${m} ${rest}`, `+44 ${m} ${rest}`, `0${m}${rest}`]);
    }
    const ld = `${pick(r, ['3', '7', '8'])}${digits(r, 3)}`;
    const rest = digits(r, 4);
    return pick(r, [`020 ${ld} ${rest}`, `+44 20 ${ld} ${rest}`, `(020) ${ld} ${rest}`]);
  },
  // DE
  (r) => {
    if (r() < 0.5) {
      const p = pick(r, [
        '151',
        '152',
        '157',
        '160',
        '162',
        '163',
        '170',
        '171',
        '172',
        '173',
        '174',
        '175',
        '176',
        '177',
        '178',
        '179',
      ]);
      const rest = digits(r, p.startsWith('15') ? 8 : p === '176' ? 8 : 7);
      return pick(r, [`0${p} ${rest}`, `+49 ${p} ${rest}`, `0${p}/${rest}`, `0${p}-${rest}`]);
    }
    const rest = `${int(r, 2, 9)}${digits(r, 7)}`;
    return pick(r, [`030 ${rest}`, `+49 30 ${rest}`, `030/${rest}`]);
  },
  // FR
  (r) => {
    const first = pick(r, ['1', '2', '3', '4', '5', '6', '7']);
    const d = `${first}${first === '7' ? int(r, 3, 8) : first === '6' ? int(r, 1, 8) : int(r, 1, 9)}${digits(r, 7)}`;
    const pairs = `${d.slice(1, 3)} ${d.slice(3, 5)} ${d.slice(5, 7)} ${d.slice(7, 9)}`;
    return pick(r, [
      `0${d[0]} ${pairs}`,
      `+33 ${d[0]} ${pairs}`,
      `0${d}`,
      `0${d[0]}.${pairs.replaceAll(' ', '.')}`,
    ]);
  },
  // ES
  (r) => {
    const d = r() < 0.6 ? `6${digits(r, 8)}` : `91${int(r, 1, 9)}${digits(r, 6)}`;
    return pick(r, [
      `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
      `+34 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
      `${d.slice(0, 3)} ${d.slice(3, 5)} ${d.slice(5, 7)} ${d.slice(7)}`,
      `+34 ${d}`,
    ]);
  },
  // IT
  (r) => {
    if (r() < 0.6) {
      const p = `3${int(r, 2, 9)}${int(r, 0, 9)}`;
      const rest = digits(r, 7);
      return pick(r, [
        `${p} ${rest.slice(0, 3)} ${rest.slice(3)}`,
        `+39 ${p} ${rest.slice(0, 3)} ${rest.slice(3)}`,
        `${p}${rest}`,
      ]);
    }
    const rest = digits(r, 8);
    return pick(r, [
      `06 ${rest.slice(0, 4)} ${rest.slice(4)}`,
      `+39 06 ${rest.slice(0, 4)} ${rest.slice(4)}`,
      `02 ${rest.slice(0, 4)} ${rest.slice(4)}`,
    ]);
  },
  // NL
  (r) => {
    if (r() < 0.6) {
      const rest = `${int(r, 1, 5)}${digits(r, 7)}`;
      return pick(r, [
        `06-${rest}`,
        `06 ${rest}`,
        `+31 6 ${rest}`,
        `+31 6 ${rest.slice(0, 4)} ${rest.slice(4)}`,
      ]);
    }
    const rest = `${int(r, 2, 9)}${digits(r, 6)}`;
    return pick(r, [
      `020 ${rest.slice(0, 3)} ${rest.slice(3)}`,
      `+31 20 ${rest.slice(0, 3)} ${rest.slice(3)}`,
      `020-${rest}`,
    ]);
  },
  // IN
  (r) => {
    const d = `${int(r, 7, 9)}${digits(r, 9)}`;
    return pick(r, [
      `${d.slice(0, 5)} ${d.slice(5)}`,
      `+91 ${d.slice(0, 5)} ${d.slice(5)}`,
      `+91-${d}`,
      `+91 ${d}`,
      `0${d.slice(0, 5)} ${d.slice(5)}`,
    ]);
  },
  // BR
  (r) => {
    const ddd = pick(r, ['11', '21', '31', '41', '51', '61', '71', '81', '85', '19']);
    if (r() < 0.6) {
      const n = `9${int(r, 6, 9)}${digits(r, 3)}`;
      const rest = digits(r, 4);
      return pick(r, [
        `(${ddd}) ${n}-${rest}`,
        `+55 ${ddd} ${n}-${rest}`,
        `+55 (${ddd}) ${n}-${rest}`,
        `${ddd} ${n}-${rest}`,
      ]);
    }
    const n = `${int(r, 2, 5)}${digits(r, 3)}`;
    const rest = digits(r, 4);
    return pick(r, [`(${ddd}) ${n}-${rest}`, `+55 ${ddd} ${n}-${rest}`]);
  },
  // E.164 without separators, several countries
  (r) =>
    pick(r, [
      `+1415${int(r, 2, 9)}${digits(r, 6)}`,
      `+447${pick(r, ['4', '5', '7', '8', '9'])}${digits(r, 8)}`,
      `+4917${int(r, 0, 9)}${digits(r, 7)}`,
      `+336${int(r, 1, 8)}${digits(r, 7)}`,
      `+346${digits(r, 8)}`,
      `+393${int(r, 2, 9)}${digits(r, 8)}`,
      `+316${int(r, 1, 5)}${digits(r, 7)}`,
      `+919${digits(r, 9)}`,
      `+55119${int(r, 6, 9)}${digits(r, 7)}`,
    ]),
];

function phone(r: Rand): string {
  return pick(r, PHONES)(r);
}

const POSITIVES: Readonly<Record<PiiType, (r: Rand) => string>> = {
  email,
  phone,
  credit_card: (r) => card(r, true),
  iban: (r) => iban(r, true),
  us_ssn: (r) => ssn(r, true),
  ipv4,
  ipv6,
  jwt,
  api_token: apiToken,
};

// ------------------------------------------------------------------ negatives

const NEGATIVES: readonly ((r: Rand) => string)[] = [
  (r) => `ORD-${int(r, 2019, 2026)}-${digits(r, 6)}`,
  (r) => `order #${digits(r, 8)}`,
  (r) => `invoice INV${digits(r, 7)}`,
  (r) => {
    const h = chars(r, HEX, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  },
  (r) => `v${int(r, 0, 20)}.${int(r, 0, 40)}.${int(r, 0, 99)}`,
  (r) => `version ${int(r, 1, 9)}.${int(r, 0, 30)}.${int(r, 0, 9)}`,
  (r) => `v${int(r, 1, 9)}.${int(r, 0, 9)}.${int(r, 0, 9)}.${int(r, 0, 999)}`,
  (r) => `node-v${int(r, 16, 24)}.${int(r, 0, 19)}.${int(r, 0, 9)}`,
  (r) => `ISBN 978-${int(r, 0, 1)}-${digits(r, 3)}-${digits(r, 5)}-${int(r, 0, 9)}`,
  (r) => `ISBN ${int(r, 0, 9)}-${digits(r, 3)}-${digits(r, 5)}-${int(r, 0, 9)}`,
  (r) => `1Z${chars(r, UPPER_DIGITS, 6)}${digits(r, 10)}`,
  (r) => `tracking 9400${digits(r, 18)}`,
  (r) => `sha256:${chars(r, HEX, 64)}`,
  (r) => `commit ${chars(r, HEX, 40)}`,
  (r) => `md5 ${chars(r, HEX, 32)}`,
  (r) => card(r, false),
  (r) => iban(r, false),
  (r) => ssn(r, false),
  (r) => `${int(r, 256, 999)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 0, 255)}`,
  (r) => pick(r, ['icon@2x.png', 'logo@3x.webp', 'hero@2x.jpg', 'sprite@1.5x.svg', 'avatar@2x.jpeg']),
  (r) =>
    `${String(int(r, 0, 23)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}`,
  (r) => Array.from({ length: 6 }, () => chars(r, 'ABCDEF0123456789', 2)).join(':'),
  (r) =>
    `${int(r, 2019, 2026)}-${String(int(r, 1, 12)).padStart(2, '0')}-${String(int(r, 1, 28)).padStart(2, '0')}`,
  (r) => `$${int(r, 1, 9)},${digits(r, 3)}.${digits(r, 2)}`,
  (r) => `nginx:${int(r, 1, 1)}.${int(r, 19, 27)}.${int(r, 0, 9)}`,
  (r) => `zip ${digits(r, 5)}`,
  (r) => `ext. ${digits(r, 4)}`,
  (r) => `lat ${int(r, -89, 89)}.${digits(r, 6)}, lon ${int(r, -179, 179)}.${digits(r, 6)}`,
  () => 'user@localhost',
  (r) => `@${pick(r, FIRST).replace(/[^a-z]/g, 'o')}`,
  (r) => `build ${digits(r, 10)}-${digits(r, 4)}`,
  (r) => `SKU ${chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 3)}-${digits(r, 5)}`,
  (r) => `AKIA${chars(r, 'abcdefghijklmnop', 16)}`,
  (r) => `ghp_${chars(r, ALNUM, 20)}`,
  (r) => `eyJ${chars(r, B64URL, 20)}`,
  (r) => `${digits(r, 3)}-${digits(r, 3)}`,
  (r) => `ref ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 4)}`,
  (r) => `${int(r, 1, 9)}${digits(r, 2)}.${digits(r, 3)}.${digits(r, 3)}-${digits(r, 2)}`,
];

// ------------------------------------------------------------------ records

const LEAD = [
  'user',
  'login failed for',
  'contact',
  'sent to',
  'request from',
  'paid with',
  'transfer from',
  'token',
  'value',
  'customer',
  'SSN on file',
  'client ip',
  'Authorization: Bearer',
  'note:',
  'caller',
];
const GLUE = [' and ', ', ', '; ', ' then ', ' (', ' / ', ' -> ', ' | ', ' ', '\t'];
const TAIL = ['', '.', ' ok', ' retrying', ')', ' — see ticket', ' at 12:03', '!', ' [redacted?]', ' done'];

function record(r: Rand, i: number): CorpusRecord {
  const findings: LabelledSpan[] = [];
  let text = `${pick(r, LEAD)} `;
  const positives = i % 3 === 2 ? 0 : int(r, 1, 3);
  const negatives = positives === 0 ? int(r, 1, 3) : int(r, 0, 2);
  const parts: ({ pii: PiiType } | { neg: number })[] = [];
  for (let k = 0; k < positives; k++)
    parts.push({ pii: PII_TYPES[(i + k * 5 + int(r, 0, 1)) % PII_TYPES.length]! });
  for (let k = 0; k < negatives; k++) parts.push({ neg: int(r, 0, NEGATIVES.length - 1) });
  for (let k = parts.length - 1; k > 0; k--) {
    const j = int(r, 0, k);
    [parts[k], parts[j]] = [parts[j]!, parts[k]!];
  }
  parts.forEach((p, k) => {
    if (k > 0) text += pick(r, GLUE);
    if ('pii' in p) {
      const value = POSITIVES[p.pii](r);
      findings.push({ type: p.pii, start: text.length, end: text.length + value.length });
      text += value;
    } else {
      text += NEGATIVES[p.neg]!(r);
    }
  });
  text += pick(r, TAIL);
  return { text, findings };
}

export function generateCorpus(seed = CORPUS_SEED, size = CORPUS_SIZE): CorpusRecord[] {
  const r = rng(seed);
  return Array.from({ length: size }, (_, i) => record(r, i));
}

export function corpusToJsonl(records: readonly CorpusRecord[]): string {
  return `${records.map((rec) => JSON.stringify(rec)).join('\n')}\n`;
}

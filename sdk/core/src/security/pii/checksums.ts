/** Luhn (mod 10) over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616 mod-97 check of a compact IBAN (upper case, no spaces). */
export function ibanMod97Valid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** Card brands by prefix range and allowed lengths. */
const BRANDS: readonly { lo: number; hi: number; digits: number; lengths: readonly number[] }[] = [
  { lo: 4, hi: 4, digits: 1, lengths: [13, 16, 19] }, // Visa
  { lo: 51, hi: 55, digits: 2, lengths: [16] }, // Mastercard
  { lo: 2221, hi: 2720, digits: 4, lengths: [16] }, // Mastercard 2-series
  { lo: 34, hi: 34, digits: 2, lengths: [15] }, // Amex
  { lo: 37, hi: 37, digits: 2, lengths: [15] }, // Amex
  { lo: 6011, hi: 6011, digits: 4, lengths: [16, 19] }, // Discover
  { lo: 644, hi: 649, digits: 3, lengths: [16, 19] }, // Discover
  { lo: 65, hi: 65, digits: 2, lengths: [16, 19] }, // Discover
  { lo: 300, hi: 305, digits: 3, lengths: [14, 16, 19] }, // Diners Club
  { lo: 36, hi: 36, digits: 2, lengths: [14, 16, 19] }, // Diners Club
  { lo: 38, hi: 39, digits: 2, lengths: [16, 19] }, // Diners Club
  { lo: 3528, hi: 3589, digits: 4, lengths: [16, 17, 18, 19] }, // JCB
  { lo: 62, hi: 62, digits: 2, lengths: [16, 17, 18, 19] }, // UnionPay
  { lo: 5018, hi: 5018, digits: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { lo: 5020, hi: 5020, digits: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { lo: 5038, hi: 5038, digits: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { lo: 6304, hi: 6304, digits: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { lo: 6759, hi: 6759, digits: 4, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { lo: 676770, hi: 676774, digits: 6, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro UK
];

/** Whether a digit string has a known card brand prefix with an allowed length for that brand. */
export function knownCardBrand(digits: string): boolean {
  for (const b of BRANDS) {
    if (!b.lengths.includes(digits.length)) continue;
    const p = Number(digits.slice(0, b.digits));
    if (p >= b.lo && p <= b.hi) return true;
  }
  return false;
}

/** US SSN ranges: area 001-899 except 666, group 01-99, serial 0001-9999. */
export function ssnValid(area: number, group: number, serial: number): boolean {
  return area >= 1 && area <= 899 && area !== 666 && group >= 1 && serial >= 1;
}

/** The PII types OmniCache detects, named exactly as they appear in findings, redaction markers and reports. */
export const PII_TYPES = [
  'email',
  'phone',
  'credit_card',
  'iban',
  'us_ssn',
  'ipv4',
  'ipv6',
  'jwt',
  'api_token',
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** One detected value: `text.slice(start, end)` is the value (JavaScript string indices, end exclusive). */
export interface PiiFinding {
  type: PiiType;
  start: number;
  end: number;
}

/**
 * Finds the values of one type in a text and appends them to `out`. `out` already holds the findings of the
 * higher-priority types (a detector may skip candidates inside them); overlaps left are resolved by the scanner.
 */
export interface PiiDetector {
  readonly type: PiiType;
  find(text: string, out: PiiFinding[]): void;
}

export function isPiiType(value: unknown): value is PiiType {
  return typeof value === 'string' && (PII_TYPES as readonly string[]).includes(value);
}

import { ConfigError } from '../../errors.js';
import {
  apiTokenDetector,
  creditCardDetector,
  emailDetector,
  ibanDetector,
  ipv4Detector,
  ipv6Detector,
  jwtDetector,
  usSsnDetector,
} from './detectors.js';
import { isPiiType, PII_TYPES, type PiiDetector, type PiiFinding, type PiiType } from './types.js';

/**
 * When findings of two types overlap, the earlier type in this list wins (the more specific structure:
 * a JWT contains base64 that looks like tokens, an email's domain can look like an IP, a card number like a phone).
 */
const PRIORITY: readonly PiiType[] = [
  'jwt',
  'api_token',
  'email',
  'iban',
  'credit_card',
  'us_ssn',
  'ipv6',
  'ipv4',
  'phone',
];

const BUILT_IN: Readonly<Partial<Record<PiiType, PiiDetector>>> = {
  email: emailDetector,
  credit_card: creditCardDetector,
  iban: ibanDetector,
  us_ssn: usSsnDetector,
  ipv4: ipv4Detector,
  ipv6: ipv6Detector,
  jwt: jwtDetector,
  api_token: apiTokenDetector,
};

export interface PiiScannerOptions {
  /**
   * Types to detect. Default: every type this scanner can detect (all of PII_TYPES when `phone` is given,
   * all but `phone` otherwise).
   */
  types?: readonly PiiType[];
  /** The phone detector from `omnicache/pii-phone` (needs libphonenumber-js). Without it `phone` is not detected. */
  phone?: PiiDetector;
}

/** Finds PII in text: every enabled detector, overlaps resolved by type priority, findings in text order. */
export class PiiScanner {
  readonly types: readonly PiiType[];
  readonly #detectors: readonly PiiDetector[];

  constructor(options: PiiScannerOptions = {}) {
    if (options.phone !== undefined && options.phone.type !== 'phone') {
      throw new ConfigError(
        `phone must be a phone detector (omnicache/pii-phone), got one for "${options.phone.type}"`,
      );
    }
    const available = options.phone === undefined ? PII_TYPES.filter((t) => t !== 'phone') : PII_TYPES;
    const types = options.types ?? available;
    for (const t of types) {
      if (!isPiiType(t)) {
        throw new ConfigError(`unknown PII type "${String(t)}"; use one of ${PII_TYPES.join(', ')}`);
      }
      if (t === 'phone' && options.phone === undefined) {
        throw new ConfigError(
          "PII type 'phone' needs the phone detector: import { phoneDetector } from 'omnicache/pii-phone' (install libphonenumber-js) and pass { phone: phoneDetector() }",
        );
      }
    }
    this.types = PRIORITY.filter((t) => types.includes(t));
    this.#detectors = this.types.map((t) => (t === 'phone' ? options.phone! : BUILT_IN[t]!));
  }

  /** Findings in `text`, in order of start, never overlapping. */
  scan(text: string): PiiFinding[] {
    const found: PiiFinding[] = [];
    for (const d of this.#detectors) {
      const before = found.length;
      d.find(text, found);
      if (found.length === before) continue;
      // Drop what overlaps a finding of a higher-priority type (already in `found`, before `before`).
      let w = before;
      for (let i = before; i < found.length; i++) {
        const f = found[i]!;
        let overlaps = false;
        for (let j = 0; j < before; j++) {
          const g = found[j]!;
          if (f.start < g.end && g.start < f.end) {
            overlaps = true;
            break;
          }
        }
        if (!overlaps) found[w++] = f;
      }
      found.length = w;
    }
    if (found.length > 1) found.sort((a, b) => a.start - b.start);
    return found;
  }

  /** Whether `text` contains PII (cheaper to read than scan().length > 0, same cost). */
  test(text: string): boolean {
    return this.scan(text).length > 0;
  }
}

export function createPiiScanner(options: PiiScannerOptions = {}): PiiScanner {
  return new PiiScanner(options);
}

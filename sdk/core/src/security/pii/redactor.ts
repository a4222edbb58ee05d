import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import { PiiScanner } from './scanner.js';
import type { PiiType } from './types.js';

export interface PiiRedactorOptions {
  /**
   * HMAC-SHA256 key for the markers. Values redacted under the same key get the same marker, so they stay
   * correlatable across instances and restarts; without a key a random one is drawn per process (correlatable
   * within the process only). At least 16 bytes.
   */
  key?: string | Uint8Array;
  /** The scanner to use (default: createPiiScanner() — every type but phone unless given a phone detector). */
  scanner?: PiiScanner;
  /** Hex characters of the HMAC kept in a marker (default 6: `<email:3f9a1c>`). 4..64. */
  hashLength?: number;
}

/** Replaces PII with `<type:hmac>` markers: the keyed hash of the value, stable for one key. */
export class PiiRedactor {
  readonly scanner: PiiScanner;
  readonly #key: Uint8Array;
  readonly #hashLength: number;

  constructor(options: PiiRedactorOptions = {}) {
    const key = options.key ?? randomBytes(32);
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (bytes.length < 16) {
      throw new ConfigError(
        `the PII redaction key is ${bytes.length} bytes; use at least 16 (e.g. randomBytes(32))`,
      );
    }
    const n = options.hashLength ?? 6;
    if (!Number.isInteger(n) || n < 4 || n > 64) {
      throw new ConfigError(`hashLength must be an integer from 4 to 64, got ${String(n)}`);
    }
    this.#key = bytes;
    this.#hashLength = n;
    this.scanner = options.scanner ?? new PiiScanner();
  }

  /** The marker for one value of one type. */
  marker(type: PiiType, value: string): string {
    const h = createHmac('sha256', this.#key).update(type).update('\0').update(value).digest('hex');
    return `<${type}:${h.slice(0, this.#hashLength)}>`;
  }

  /** `text` with every finding replaced by its marker (the same string when nothing is found). */
  redact(text: string): string {
    const findings = this.scanner.scan(text);
    if (findings.length === 0) return text;
    let out = '';
    let at = 0;
    for (const f of findings) {
      out += text.slice(at, f.start) + this.marker(f.type, text.slice(f.start, f.end));
      at = f.end;
    }
    return out + text.slice(at);
  }

  /**
   * A copy of a plain JSON-like value with every string (and object key) redacted; other values kept. Used for
   * audit details, log attributes and, with the `redact` value policy, cached values.
   */
  redactValue<T>(value: T): T {
    return redactDeep(this, value, 0) as T;
  }
}

const MAX_DEPTH = 64;

function redactDeep(r: PiiRedactor, value: unknown, depth: number): unknown {
  if (typeof value === 'string') return r.redact(value);
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(r, v, depth + 1));
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [redactDeep(r, k, depth + 1), redactDeep(r, v, depth + 1)]));
  }
  if (value instanceof Set) return new Set([...value].map((v) => redactDeep(r, v, depth + 1)));
  if (value instanceof Error) return new Error(r.redact(value.message));
  if (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp
  ) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value))
    out[r.redact(k)] = redactDeep(r, (value as Record<string, unknown>)[k], depth + 1);
  return out;
}

export function createPiiRedactor(options: PiiRedactorOptions = {}): PiiRedactor {
  return new PiiRedactor(options);
}

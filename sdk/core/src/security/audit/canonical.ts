/**
 * Canonical JSON for hashing (the JSON Canonicalization Scheme, RFC 8785, for the values audit records hold):
 * object keys sorted by UTF-16 code units, no whitespace, strings and numbers as JSON.stringify writes them
 * (ECMAScript number serialization is what RFC 8785 prescribes). Values JSON cannot carry exactly (undefined,
 * non-finite numbers, bigint, functions, symbols, cycles) are rejected rather than silently changed.
 */
export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

export function canonicalJson(value: unknown): string {
  return write(value, new Set(), '$');
}

function write(value: unknown, seen: Set<object>, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`${path} is ${value}; audit fields must be finite numbers`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`${path} is a ${typeof value}; audit fields must be JSON values`);
  }
  if (value === null) return 'null';
  if (seen.has(value)) throw new TypeError(`${path} is a circular reference`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((v, i) => write(v, seen, `${path}[${i}]`)).join(',')}]`;
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(
        `${path} is a ${value.constructor?.name ?? 'non-plain object'}; audit fields must be plain JSON objects`,
      );
    }
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${write(v, seen, `${path}.${k}`)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(value);
  return out;
}

/**
 * Cache keys derived from function arguments: a canonical text of the arguments (object keys sorted, Map and
 * Set in a canonical order, Date/bigint/bytes/undefined kept distinct), prefixed with the function's name;
 * long keys become a SHA-256 under the same prefix.
 */
import { createHash } from 'node:crypto';
import { InvalidKeyError } from '../errors.js';

const MAX_KEY = 250;

function canon(v: unknown, ancestors: Set<object>): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      throw new InvalidKeyError(
        `cannot derive a cache key from a ${typeof v} argument; give the key option: key: (...args) => string`,
      );
  }
  if (v === null) return 'null';
  const o = v as object;
  if (o instanceof Date) return `D${Number.isNaN(o.getTime()) ? 'invalid' : o.toISOString()}`;
  if (ArrayBuffer.isView(o))
    return `B${Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64')}`;
  if (ancestors.has(o))
    throw new InvalidKeyError('cannot derive a cache key from a circular argument; give the key option');
  ancestors.add(o);
  try {
    if (Array.isArray(o)) return `[${o.map((x) => canon(x, ancestors)).join(',')}]`;
    if (o instanceof Map) {
      const entries = [...o].map(([k, x]) => `${canon(k, ancestors)}=>${canon(x, ancestors)}`).sort();
      return `M{${entries.join(',')}}`;
    }
    if (o instanceof Set)
      return `S[${[...o]
        .map((x) => canon(x, ancestors))
        .sort()
        .join(',')}]`;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canon((o as Record<string, unknown>)[k], ancestors)}`).join(',')}}`;
  } finally {
    ancestors.delete(o);
  }
}

/** `name(arg1,arg2,...)` in canonical form; `name#<sha256>` when longer than 250 characters. */
export function argsKey(name: string, args: readonly unknown[]): string {
  const key = `${name}(${args.map((a) => canon(a, new Set())).join(',')})`;
  if (key.length <= MAX_KEY) return key;
  return `${name}#${createHash('sha256').update(key).digest('base64url')}`;
}

import { InvalidValueError } from '../errors.js';
import { hasLoneSurrogate } from './unicode.js';

const MAX_DEPTH = 512;

/**
 * Walks a value before it is stored: rejects what the codec cannot carry faithfully (functions,
 * symbols, top-level undefined, circular references, nesting deeper than 512, a getter or proxy that throws)
 * and returns an estimate of its in-memory size in bytes (used for L1 maxBytes and, for an L1-only cache,
 * maxValueBytes). With `encoded` (the value will leave the process through the codec) it also rejects what
 * msgpack would change: strings and keys with lone surrogates (they would come back as U+FFFD) and own
 * `__proto__` keys (msgpackr renames them to guard against prototype pollution).
 */
export function checkValue(value: unknown, encoded = false): number {
  if (value === undefined) {
    throw new InvalidValueError(
      'undefined cannot be cached (a miss is also undefined); cache null to remember absence',
    );
  }
  try {
    // Paths are only built for the error message: the first walk tracks none (no string per element).
    return walk(value, 0, undefined, undefined, encoded);
  } catch (error) {
    if (!(error instanceof Rejected)) throw threw(error);
    try {
      walk(value, 0, undefined, '$', encoded);
    } catch (withPath) {
      throw withPath instanceof InvalidValueError ? withPath : threw(withPath);
    }
    throw error;
  }
}

/** Reading the value itself threw (a getter, a proxy trap, a Map/Set subclass). */
function threw(error: unknown): InvalidValueError {
  return new InvalidValueError(
    `reading the value threw (${error instanceof Error ? error.message : String(error)}), so it cannot be cached; cache plain data: objects, arrays, strings, numbers, bigint, Date, Map, Set, Buffer`,
    { cause: error },
  );
}

/** Thrown by the path-less walk; the second walk, with paths, throws the InvalidValueError instead. */
class Rejected extends Error {}

function fail(path: string | undefined, what: string): never {
  if (path === undefined) throw new Rejected(what);
  throw new InvalidValueError(
    `value at ${path} is ${what} and cannot be cached; cache plain data: objects, arrays, strings, numbers, bigint, Date, Map, Set, Buffer`,
  );
}

const at = (path: string | undefined, suffix: string): string | undefined =>
  path === undefined ? undefined : path + suffix;

function walk(
  value: unknown,
  depth: number,
  ancestors: Set<object> | undefined,
  path: string | undefined,
  encoded: boolean,
): number {
  switch (typeof value) {
    case 'string':
      if (encoded && hasLoneSurrogate(value)) fail(path, 'a string with a lone surrogate');
      return 16 + 2 * value.length;
    case 'number':
      return 8;
    case 'boolean':
    case 'undefined':
      return 4;
    case 'bigint':
      return 16 + Math.ceil(value.toString(16).length / 2);
    case 'function':
      return fail(path, 'a function');
    case 'symbol':
      return fail(path, 'a symbol');
  }
  if (value === null) return 4;
  const obj = value as object;
  if (ArrayBuffer.isView(obj)) return 64 + obj.byteLength;
  if (obj instanceof ArrayBuffer) return 64 + obj.byteLength;
  if (obj instanceof Date || obj instanceof RegExp) return 48;
  if (depth >= MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
  ancestors ??= new Set();
  if (ancestors.has(obj)) fail(path, 'a circular reference');
  ancestors.add(obj);
  let size = 32;
  const d = depth + 1;
  if (Array.isArray(obj)) {
    size += 8 * obj.length;
    for (let i = 0; i < obj.length; i++) size += walk(obj[i], d, ancestors, path && `${path}[${i}]`, encoded);
  } else if (obj instanceof Map) {
    for (const [k, v] of obj)
      size +=
        16 +
        walk(k, d, ancestors, at(path, '<key>'), encoded) +
        walk(v, d, ancestors, at(path, '<value>'), encoded);
  } else if (obj instanceof Set) {
    for (const v of obj) size += 8 + walk(v, d, ancestors, at(path, '<item>'), encoded);
  } else if (obj instanceof Error) {
    if (encoded && hasLoneSurrogate(obj.message)) fail(path, 'an Error whose message has a lone surrogate');
    size += 16 + 2 * obj.message.length;
  } else {
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue;
      if (encoded) {
        if (k === '__proto__') fail(path, 'an object with an own "__proto__" key');
        if (hasLoneSurrogate(k)) fail(path, 'an object with a key that has a lone surrogate');
      }
      size +=
        8 +
        16 +
        2 * k.length +
        walk((obj as Record<string, unknown>)[k], d, ancestors, path && `${path}.${k}`, encoded);
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) fail(path, 'an object with symbol keys');
  }
  ancestors.delete(obj);
  return size;
}

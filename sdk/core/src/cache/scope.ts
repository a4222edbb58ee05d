import { ConfigError, InvalidKeyError } from '../errors.js';
import { hasLoneSurrogate } from './unicode.js';

/**
 * Where a cache view's keys live. Remote keys: `${cache}::${key}` at the root, `${cache}:${ns}::${key}` in a
 * namespace (nested: `${cache}:a:b::${key}`); clearing a scope removes the prefix `${cache}:` or
 * `${cache}:${ns}:`, which covers nested namespaces and nothing else. Tags are qualified the same way
 * (tiers keep tags apart from keys). L1 keys at the root are the user's key itself (no allocation on the
 * hot path); in a namespace they are `\0${ns}:\0${key}`, which no root key can equal (root keys may not
 * start with NUL).
 */
export interface Scope {
  /** Namespace path ('' at the root, 'a:b' nested). */
  path: string;
  keyPrefix: string;
  clearPrefix: string;
  l1Prefix: string;
  l1ClearPrefix: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]{1,64}$/;

export function rootScope(cache: string): Scope {
  return { path: '', keyPrefix: `${cache}::`, clearPrefix: `${cache}:`, l1Prefix: '', l1ClearPrefix: '' };
}

export function childScope(cache: string, parent: Scope, name: string): Scope {
  if (typeof name !== 'string' || !SEGMENT.test(name)) {
    throw new ConfigError(
      `namespace name "${String(name)}" is invalid; use 1-64 characters from A-Z a-z 0-9 _ . -`,
    );
  }
  const path = parent.path === '' ? name : `${parent.path}:${name}`;
  return {
    path,
    keyPrefix: `${cache}:${path}::`,
    clearPrefix: `${cache}:${path}:`,
    l1Prefix: `\0${path}:\0`,
    l1ClearPrefix: `\0${path}:`,
  };
}

export function invalidKey(key: unknown, maxLength: number): InvalidKeyError {
  if (typeof key !== 'string') return new InvalidKeyError(`cache keys must be strings, got ${typeof key}`);
  if (key.length === 0) return new InvalidKeyError('cache keys must not be empty');
  if (key.length > maxLength) {
    return new InvalidKeyError(
      `cache key is ${key.length} characters, longer than maxKeyLength ${maxLength}; hash long keys or raise maxKeyLength`,
    );
  }
  return new InvalidKeyError('cache keys must not start with a NUL character');
}

/** Throws InvalidKeyError for a key or tag no tier could store distinctly (a lone surrogate). */
export function checkText(what: 'key' | 'tag', text: string): string {
  if (hasLoneSurrogate(text)) throw loneSurrogate(what, text);
  return text;
}

/** Keys and tags with a lone surrogate would collide with others once UTF-8 encoded (see unicode.ts). */
export function loneSurrogate(what: 'key' | 'tag', text: string): InvalidKeyError {
  const at = text.search(/\p{Cs}/u);
  return new InvalidKeyError(
    `cache ${what} has a lone surrogate (UTF-16 code unit 0x${text.charCodeAt(at).toString(16)} at index ${at}), which no tier can store distinctly; use well-formed Unicode (String.prototype.toWellFormed) or encode binary ids (hex, base64)`,
  );
}

export function invalidTag(tag: unknown): InvalidKeyError {
  return new InvalidKeyError(
    typeof tag === 'string' && tag.length > 0
      ? 'tags must not start with a NUL character (reserved for data subjects: use the subject option)'
      : `tags must be non-empty strings, got ${typeof tag === 'string' ? '""' : typeof tag}`,
  );
}

/**
 * Keys that carry an order: a decimal integer ("4711", a trace block number) optionally after a prefix that ends in
 * a separator ("page:17", "user/3/item-9"). Opaque keys (HMAC hex) have none, and the models that need an order
 * (sequential runs, stride deltas) then predict nothing.
 */
const ORDERED = /^(.*[:/_\-.#])?(\d{1,15})$/;

export interface OrderedKey {
  prefix: string;
  n: number;
}

export function parseOrderedKey(key: string): OrderedKey | undefined {
  const m = ORDERED.exec(key);
  if (!m) return undefined;
  return { prefix: m[1] ?? '', n: Number(m[2]) };
}

export function formatOrderedKey(prefix: string, n: number): string {
  return `${prefix}${n}`;
}

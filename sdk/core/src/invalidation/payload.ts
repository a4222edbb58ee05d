import type * as Zod from 'zod';

export type PayloadResult<T> = { ok: true; message: T } | { ok: false; reason: string };

/**
 * One bus payload (JSON text or bytes) checked for size, parsed and validated against `schema`; never throws.
 * Shared by the invalidation and prefetch messages.
 */
export function parsePayload<T>(
  payload: string | Uint8Array,
  maxBytes: number,
  schema: Zod.ZodType<T>,
): PayloadResult<T> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) return { ok: false, reason: `message of ${size} bytes is over ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    return { ok: false, reason: `${first?.path.join('.') || '(message)'}: ${first?.message ?? 'invalid'}` };
  }
  return { ok: true, message: r.data };
}

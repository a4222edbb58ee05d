import { createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import { canonicalJson } from './canonical.js';

/**
 * A signed statement "the chain had `seq` records and the last one hashed to `hash`", written to a separate file
 * after the records it covers are on disk: removing records from the end of the log (truncation), which leaves a
 * valid shorter chain, contradicts the last checkpoint.
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  time: string;
  alg: 'hmac-sha256' | 'ed25519';
  /** Hex HMAC or base64 Ed25519 signature over canonical JSON of { seq, hash, time, alg }. */
  sig: string;
}

/** HMAC secret (>= 32 bytes) or an Ed25519 key (private to sign, public or private to verify). */
export type CheckpointKey = Uint8Array | KeyObject;

function payload(c: Omit<AuditCheckpoint, 'sig'>): Buffer {
  return Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, time: c.time, alg: c.alg }));
}

function isKeyObject(k: CheckpointKey): k is KeyObject {
  return typeof (k as KeyObject).asymmetricKeyType !== 'undefined' || (k as KeyObject).type === 'secret';
}

export function checkKey(key: CheckpointKey, forSigning: boolean): void {
  if (isKeyObject(key)) {
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new ConfigError(
        'checkpoint keys must be an Ed25519 KeyObject or an HMAC secret of at least 32 bytes',
      );
    }
    if (forSigning && key.type !== 'private') {
      throw new ConfigError(
        'signing checkpoints needs the Ed25519 private key (verifying needs only the public key)',
      );
    }
  } else if (key.length < 32) {
    throw new ConfigError(`the checkpoint HMAC secret is ${key.length} bytes; use at least 32`);
  }
}

export function signCheckpoint(
  seq: number,
  hash: string,
  key: CheckpointKey,
  time = new Date(),
): AuditCheckpoint {
  const base = { seq, hash, time: time.toISOString() };
  if (isKeyObject(key)) {
    const c = { ...base, alg: 'ed25519' as const };
    return { ...c, sig: sign(null, payload(c), key).toString('base64') };
  }
  const c = { ...base, alg: 'hmac-sha256' as const };
  return { ...c, sig: createHmac('sha256', key).update(payload(c)).digest('hex') };
}

export function verifyCheckpoint(c: AuditCheckpoint, key: CheckpointKey): boolean {
  try {
    if (c.alg === 'ed25519') {
      if (!isKeyObject(key)) return false;
      return verify(null, payload(c), key, Buffer.from(c.sig, 'base64'));
    }
    if (c.alg !== 'hmac-sha256' || isKeyObject(key)) return false;
    const expected = createHmac('sha256', key).update(payload(c)).digest();
    const got = Buffer.from(c.sig, 'hex');
    return got.length === expected.length && timingSafeEqual(got, expected);
  } catch {
    return false;
  }
}

export function parseCheckpoint(line: string): AuditCheckpoint | undefined {
  try {
    const v = JSON.parse(line) as Partial<AuditCheckpoint>;
    if (
      typeof v.seq === 'number' &&
      typeof v.hash === 'string' &&
      typeof v.time === 'string' &&
      (v.alg === 'hmac-sha256' || v.alg === 'ed25519') &&
      typeof v.sig === 'string'
    ) {
      return v as AuditCheckpoint;
    }
  } catch {}
  return undefined;
}

// `omnicache security scan`: static checks of a cache configuration file (the YAML/JSON loadCacheConfig reads).
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ConfigError, LocalKeyRing, type LocalKeyRingOptions, WeakKeyError } from 'omnicache';

export type Severity = 'high' | 'medium' | 'low';

export interface Finding {
  /** Stable id, e.g. `remote-tier-unencrypted`. */
  id: string;
  severity: Severity;
  /** Where in the configuration (a dotted path). */
  where: string;
  message: string;
  fix: string;
}

export interface ScanReport {
  config: string;
  findings: Finding[];
  summary: Record<Severity, number>;
}

export const DEFAULT_ROTATION_DAYS = 90;
const DAY = 86_400_000;

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : undefined;

/** A configuration file as a plain object (YAML or JSON, by extension). */
export async function readConfigDocument(file: string): Promise<Doc> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML/JSON: ${(error as Error).message}`, { cause: error });
  }
  const doc = obj(data);
  if (doc === undefined) throw new ConfigError(`${file} must hold a cache configuration object`);
  return doc;
}

function isLoopback(host: string | undefined): boolean {
  return host === undefined || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function checkRedis(where: string, spec: Doc, findings: Finding[]): void {
  let tls = spec.tls === true;
  let password = typeof spec.password === 'string' && spec.password.length > 0;
  let hosts: (string | undefined)[] = [typeof spec.host === 'string' ? spec.host : undefined];
  if (typeof spec.url === 'string') {
    try {
      const u = new URL(spec.url);
      tls ||= u.protocol === 'rediss:';
      password ||= u.password.length > 0;
      hosts = [u.hostname];
    } catch {
      // the schema reports a malformed URL
    }
  }
  if (Array.isArray(spec.nodes)) hosts = spec.nodes.map((n) => obj(n)?.host as string | undefined);
  const remote = hosts.some((h) => !isLoopback(h));
  if (!tls) {
    findings.push({
      id: 'redis-without-tls',
      severity: remote ? 'high' : 'low',
      where,
      message: `Redis traffic is not encrypted in transit${remote ? ` (host ${hosts.filter((h) => !isLoopback(h)).join(', ')})` : ' (loopback only)'}`,
      fix: `use a rediss:// URL or set ${where}.tls: true`,
    });
  }
  if (!password) {
    findings.push({
      id: 'redis-without-auth',
      severity: remote ? 'high' : 'medium',
      where,
      message:
        'Redis is used without a password (anyone who reaches it can read and overwrite cache entries)',
      fix: `set ${where}.password (or a password in the URL, from a secret) and enable ACLs on the server`,
    });
  }
}

function checkKeys(ring: LocalKeyRing, rotationDays: number, findings: Finding[], now: number): void {
  for (const id of ring.keyIds()) {
    const created = ring.keyCreatedAt(id);
    const current = id === ring.currentKeyId();
    if (created === undefined) {
      if (current) {
        findings.push({
          id: 'key-age-unknown',
          severity: 'low',
          where: `encryption (key "${id}")`,
          message: `the current key "${id}" has no createdAt, so its age cannot be checked against the rotation period`,
          fix: 'add "createdAt" (ISO date) to the key entry',
        });
      }
      continue;
    }
    const ageDays = (now - created) / DAY;
    if (current && ageDays > rotationDays) {
      findings.push({
        id: 'key-rotation-overdue',
        severity: 'medium',
        where: `encryption (key "${id}")`,
        message: `the current key "${id}" is ${Math.floor(ageDays)} days old, over the rotation period of ${rotationDays} days`,
        fix: 'append a new key to the ring (it becomes current), then run `omnicache keys rotate` to re-encrypt',
      });
    }
  }
}

function checkEncryption(doc: Doc, findings: Finding[], env: NodeJS.ProcessEnv, now: number): void {
  const enc = obj(doc.encryption);
  const remotes = (['l2', 'l3'] as const).filter((t) => obj(doc[t]) !== undefined);
  if (enc === undefined) {
    if (remotes.length > 0) {
      findings.push({
        id: 'remote-tier-unencrypted',
        severity: 'high',
        where: remotes.join(', '),
        message: `values leave the process unencrypted to ${remotes.join(' and ')}`,
        fix: 'add encryption: { local: { keyFile: ... } } or encryption: { awsKms: { keyIds: [...] } }',
      });
    }
    return;
  }
  const rotationDays = typeof enc.rotationDays === 'number' ? enc.rotationDays : DEFAULT_ROTATION_DAYS;
  const local = obj(enc.local);
  if (local !== undefined) {
    const options: LocalKeyRingOptions =
      typeof local.keyFile === 'string'
        ? { file: resolve(local.keyFile) }
        : { ...(typeof local.keyEnv === 'string' && { env: local.keyEnv }), environment: env };
    let ring: LocalKeyRing | undefined;
    try {
      ring = new LocalKeyRing(options);
    } catch (error) {
      const weak = error instanceof WeakKeyError;
      findings.push({
        id: weak ? 'weak-key' : 'key-ring-unreadable',
        severity: 'high',
        where: 'encryption.local',
        message: (error as Error).message,
        fix: weak
          ? 'generate 32 random bytes per key (`openssl rand -base64 32`), keep the key file at mode 600'
          : 'point encryption.local at a readable key file or a set environment variable',
      });
    }
    if (ring !== undefined) checkKeys(ring, rotationDays, findings, now);
  }
  const kms = obj(enc.awsKms);
  if (kms !== undefined) {
    const created = obj(kms.createdAt) ?? {};
    const ids = Array.isArray(kms.keyIds) ? (kms.keyIds as string[]) : [];
    const current = ids[ids.length - 1];
    const at = current === undefined ? undefined : created[current];
    if (typeof at === 'string' && (now - Date.parse(at)) / DAY > rotationDays) {
      findings.push({
        id: 'key-rotation-overdue',
        severity: 'medium',
        where: `encryption.awsKms (key "${current}")`,
        message: `the current KMS key "${current}" is older than the rotation period of ${rotationDays} days`,
        fix: 'enable automatic rotation on the KMS key, or append a new key id and run `omnicache keys rotate`',
      });
    }
  }
}

function checkObservability(doc: Doc, findings: Finding[]): void {
  const redaction = obj(doc.redaction) ?? obj(obj(doc.pii)?.redaction);
  if (redaction === undefined || redaction.enabled === false) {
    findings.push({
      id: 'redaction-off',
      severity: 'medium',
      where: 'redaction',
      message: 'PII redaction of telemetry (span attributes, logs) is not configured',
      fix: 'enable redaction (redaction: { enabled: true }) so personal data never reaches exported telemetry',
    });
  }
  const audit = obj(doc.audit);
  if (audit === undefined || audit.enabled === false) {
    findings.push({
      id: 'audit-off',
      severity: 'medium',
      where: 'audit',
      message: 'the audit log (key rotation, access denials, decryption failures, clears) is not configured',
      fix: 'enable the audit log with a sink (audit: { enabled: true, ... })',
    });
  }
  const invalidation = obj(doc.invalidation);
  const hooks = [
    ...(Array.isArray(invalidation?.webhooks) ? (invalidation.webhooks as unknown[]) : []),
    ...(obj(invalidation?.webhook) ? [invalidation!.webhook] : []),
  ];
  hooks.forEach((h, i) => {
    const secret = obj(h)?.secret;
    if (typeof secret !== 'string' || secret.length < 32) {
      findings.push({
        id: 'webhook-without-secret',
        severity: 'high',
        where: `invalidation.webhooks[${i}]`,
        message:
          'an invalidation webhook receiver accepts unsigned (or weakly signed) requests: anyone can invalidate or poison entries',
        fix: 'set a secret of at least 32 random characters and verify signatures',
      });
    }
  });
}

/** Scans a configuration file. `env` is where keys named by environment variables are read from. */
export async function scanConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  now = Date.now(),
): Promise<ScanReport> {
  const path = resolve(file);
  const doc = await readConfigDocument(path);
  const findings: Finding[] = [];
  checkEncryption(doc, findings, env, now);
  for (const t of ['l2', 'l3'] as const) {
    const tier = obj(doc[t]);
    const redis = obj(tier?.redis) ?? obj(tier?.redisCluster);
    if (redis !== undefined) checkRedis(`${t}.${tier?.redis ? 'redis' : 'redisCluster'}`, redis, findings);
  }
  checkObservability(doc, findings);
  const order: Severity[] = ['high', 'medium', 'low'];
  findings.sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  const summary = { high: 0, medium: 0, low: 0 };
  for (const f of findings) summary[f.severity]++;
  return { config: path, findings, summary };
}

import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  type CacheConfig,
  Codec,
  ConfigError,
  Encryptor,
  loadCacheConfig,
  type RotationState,
  rotateKeys,
  type Tier,
} from 'omnicache';
import { readConfigDocument } from './security/scan.js';

interface KeysFlags {
  config?: string;
  rate?: string;
  batch?: string;
  state?: string;
  json?: boolean;
  progress?: boolean;
}

interface Loaded {
  config: CacheConfig;
  tiers: Tier[];
  codec: Codec;
  encryptor: Encryptor;
  file: string;
}

async function load(flags: KeysFlags): Promise<Loaded> {
  const file = flags.config ?? process.env.OMNICACHE_CONFIG;
  if (file === undefined) throw new ConfigError('pass --config FILE (or set OMNICACHE_CONFIG)');
  const config = await loadCacheConfig({ file });
  if (config.encryption === undefined) {
    throw new ConfigError(`${file} configures no encryption: there are no keys to rotate`);
  }
  const tiers = [config.l2, config.l3]
    .filter((t) => t !== undefined)
    .map((t) => ('tier' in (t as object) ? (t as { tier: Tier }).tier : (t as Tier)));
  if (tiers.length === 0)
    throw new ConfigError(`${file} configures no remote tier: nothing is stored encrypted`);
  const encryptor = new Encryptor(config.name, config.encryption);
  const codec = new Codec({
    compressThreshold: config.codec?.compressThreshold ?? false,
    ...(config.codec?.compression !== undefined && { compression: config.codec.compression }),
    encryptor,
  });
  return { config, tiers, codec, encryptor, file: resolve(file) };
}

async function close(l: Loaded): Promise<void> {
  l.encryptor.close();
  await Promise.all(l.tiers.map((t) => t.close().catch(() => undefined)));
  await l.config.encryption?.provider.close?.();
}

function positive(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${name} must be a positive number, got "${v}"`);
  return n;
}

export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('encryption keys: re-encrypt stored values, retire old keys');
  keys
    .command('rotate')
    .description(
      "re-encrypt every value in L2/L3 that is sealed under an older key with the ring's current key (resumable, rate-limited)",
    )
    .option('--config <file>', 'cache configuration (default: $OMNICACHE_CONFIG)')
    .option('--rate <n>', 'values per second at most', '200')
    .option('--batch <n>', 'keys per page', '100')
    .option('--state <file>', 'checkpoint file: resumes from it when present, removed when the run completes')
    .option('--json', 'print exactly one JSON object (the final state) on stdout')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: KeysFlags) => {
      const l = await load(flags);
      const stateFile = resolve(flags.state ?? `.omnicache-rotate-${l.config.name}.json`);
      const resume = existsSync(stateFile)
        ? (JSON.parse(readFileSync(stateFile, 'utf8')) as RotationState)
        : undefined;
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const bar =
        flags.progress !== false && !flags.json && process.stderr.isTTY
          ? new SingleBar({
              format: 'rotate |{bar}| {value} scanned, {rotated} re-encrypted, {failed} failed',
              stream: process.stderr,
            })
          : undefined;
      const estimate = l.tiers.reduce((n, t) => n + (t.usage?.()?.entries ?? 0), 0);
      bar?.start(Math.max(estimate, 1), resume?.scanned ?? 0, { rotated: resume?.rotated ?? 0, failed: 0 });
      let state: RotationState;
      try {
        state = await rotateKeys({
          cache: l.config.name,
          tiers: l.tiers,
          codec: l.codec,
          encryptor: l.encryptor,
          ratePerSecond: positive(flags.rate, 'rate', 200),
          batchSize: positive(flags.batch, 'batch', 100),
          ...(resume !== undefined && { resume }),
          signal: ac.signal,
          onCheckpoint: (s) => {
            const tmp = `${stateFile}.tmp`;
            writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
            renameSync(tmp, stateFile);
            if (bar) {
              if (s.scanned > bar.getTotal()) bar.setTotal(s.scanned);
              bar.update(s.scanned, { rotated: s.rotated, failed: s.failed });
            }
          },
        });
      } finally {
        bar?.stop();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await close(l);
      }
      if (state.done && existsSync(stateFile)) unlinkSync(stateFile);
      const current = l.encryptor.provider.currentKeyId();
      if (flags.json) process.stdout.write(`${JSON.stringify({ currentKeyId: current, ...state })}\n`);
      else {
        process.stdout.write(
          `${state.done ? 'done' : `interrupted (resume with the same command; state in ${stateFile})`}: ${state.scanned} scanned, ${state.rotated} re-encrypted under "${current}", ${state.failed} could not be opened, ${state.plaintext} plaintext\n` +
            `values per key: ${Object.entries(state.remainingByKey)
              .map(([k, n]) => `${k}=${n}`)
              .join(', ')}\n`,
        );
      }
      if (!state.done) process.exitCode = 3;
    });

  keys
    .command('retire <keyId>')
    .description('remove a key from the ring, refused while any stored value is still sealed under it')
    .option('--config <file>', 'cache configuration (default: $OMNICACHE_CONFIG)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (keyId: string, flags: KeysFlags) => {
      const l = await load(flags);
      let state: RotationState;
      try {
        if (keyId === l.encryptor.provider.currentKeyId()) {
          throw new ConfigError(
            `"${keyId}" is the current key; add a newer key to the ring and rotate first`,
          );
        }
        state = await rotateKeys({
          cache: l.config.name,
          tiers: l.tiers,
          codec: l.codec,
          encryptor: l.encryptor,
          dryRun: true,
          ratePerSecond: Number.POSITIVE_INFINITY,
          batchSize: 1000,
        });
      } finally {
        await close(l);
      }
      const remaining = state.remainingByKey[keyId] ?? 0;
      const out = { keyId, remaining, retired: false, message: '' };
      if (remaining > 0) {
        out.message = `refused: ${remaining} stored value(s) are still sealed under "${keyId}"; run \`omnicache keys rotate\` first`;
        process.exitCode = 1;
      } else {
        out.retired = await retireFromRing(l, keyId);
        out.message = out.retired
          ? `no value remains under "${keyId}"; removed it from the key file`
          : `no value remains under "${keyId}"; remove it from encryption.awsKms.keyIds in ${l.file} (then schedule the KMS key's deletion)`;
      }
      process.stdout.write(flags.json ? `${JSON.stringify(out)}\n` : `${out.message}\n`);
    });
}

/** For a local key file: rewrites it without `keyId` (mode 600). false for other providers. */
async function retireFromRing(l: Loaded, keyId: string): Promise<boolean> {
  const doc = await readConfigDocument(l.file);
  const local = (doc.encryption as { local?: { keyFile?: unknown } } | undefined)?.local;
  if (typeof local?.keyFile !== 'string') return false;
  const keyFile = resolve(local.keyFile);
  const keys = JSON.parse(readFileSync(keyFile, 'utf8')) as { id: string }[];
  const kept = keys.filter((k) => k.id !== keyId);
  if (kept.length === keys.length) return false;
  const tmp = `${keyFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, keyFile);
  return true;
}

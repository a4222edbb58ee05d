// local-kms (an AWS KMS-compatible server, built from its Go module and cached) on a free port. It has no bind
// option and listens on all interfaces, so every client targets http://127.0.0.1:PORT only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goInstall } from './go-toolchain.js';
import { startHttpService } from './http-service.js';

/** No tagged releases are served; this pseudo-version builds here (see SERVICES.md). */
export const LOCAL_KMS_MODULE = 'github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6';
export const LOCAL_KMS_MIN_GO = '1.22';
export const LOCAL_KMS_REGION = 'eu-west-2';
export const LOCAL_KMS_ACCOUNT = '111122223333';

/** Installs local-kms once into the cache; returns the binary path. */
export function ensureLocalKms(): Promise<string> {
  return goInstall(LOCAL_KMS_MODULE, 'local-kms', LOCAL_KMS_MIN_GO);
}

/** A symmetric AES key to seed: several backing keys simulate a CMK that was rotated. */
export interface LocalKmsSeedKey {
  keyId: string;
  /** Hex-encoded 256-bit backing keys, oldest first. */
  backingKeys: readonly string[];
  alias?: string;
}

/** Two fixed test keys (test-only material, never used outside this harness). */
export const DEFAULT_LOCAL_KMS_KEYS: readonly LocalKmsSeedKey[] = [
  {
    keyId: '6a1c3f0e-2b7d-4e59-9c1a-0d4b8e2f7a31',
    alias: 'alias/omnicache-test-a',
    backingKeys: [
      '7d2f9a41c08e5b36e1a94f7c2d680b5e3f91a7c46e08d2b5f3a19c7e4d60b82a',
      'c4e7a19b3f5d08e26a7c91f4b03d5e8a2c6f0b9d47e1a3c58f2b6d0e9a7c4f13',
    ],
  },
  {
    keyId: '0f8e2d4c-6b1a-4397-8e5d-2c7b9a1f3e60',
    alias: 'alias/omnicache-test-b',
    backingKeys: ['29b6e0f4a8c3d17e5b92f0a6c4d8e13b7f5a2c90e6d4b18a3f7c5e2d09b6a4f8'],
  },
];

function seedYaml(keys: readonly LocalKmsSeedKey[]): string {
  const lines = ['Keys:', '  Symmetric:', '    Aes:'];
  for (const k of keys) {
    lines.push('      - Metadata:', `          KeyId: ${k.keyId}`, '        BackingKeys:');
    for (const b of k.backingKeys) lines.push(`          - ${b}`);
  }
  const aliased = keys.filter((k) => k.alias !== undefined);
  if (aliased.length > 0) {
    lines.push('Aliases:');
    for (const k of aliased) lines.push(`  - AliasName: ${k.alias}`, `    TargetKeyId: ${k.keyId}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface LocalKmsOptions {
  keys?: readonly LocalKmsSeedKey[];
  readyTimeoutMs?: number;
}

export interface LocalKmsHandle {
  /** http://127.0.0.1:PORT: pass as `new KMSClient({ endpoint, region, credentials })`. */
  readonly endpoint: string;
  readonly region: string;
  readonly port: number;
  /** `arn:aws:kms:REGION:ACCOUNT:key/ID` of each seeded key, in seed order. */
  readonly keyArns: readonly string[];
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** True when a ListKeys call (local-kms answers POST only) succeeds. */
async function answersListKeys(url: string): Promise<boolean> {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.ListKeys' },
    body: '{}',
    signal: AbortSignal.timeout(2_000),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

export async function startLocalKms(opts: LocalKmsOptions = {}): Promise<LocalKmsHandle> {
  const bin = await ensureLocalKms();
  const keys = opts.keys ?? DEFAULT_LOCAL_KMS_KEYS;
  const service = await startHttpService({
    name: 'local-kms',
    command: bin,
    args: () => [],
    prepare: (dir) => {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'seed.yaml'), seedYaml(keys));
    },
    env: (port, dir) => ({
      ...process.env,
      PORT: String(port),
      KMS_REGION: LOCAL_KMS_REGION,
      KMS_ACCOUNT_ID: LOCAL_KMS_ACCOUNT,
      KMS_DATA_PATH: join(dir, 'data'),
      KMS_SEED_PATH: join(dir, 'seed.yaml'),
    }),
    readyPath: '/',
    ready: answersListKeys,
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
  });
  return {
    endpoint: service.url,
    region: LOCAL_KMS_REGION,
    port: service.port,
    keyArns: keys.map((k) => `arn:aws:kms:${LOCAL_KMS_REGION}:${LOCAL_KMS_ACCOUNT}:key/${k.keyId}`),
    logFile: service.logFile,
    pid: service.pid,
    stop: service.stop,
  };
}

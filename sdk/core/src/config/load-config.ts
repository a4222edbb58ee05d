import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { CacheConfig } from '../cache/config.js';
import { ConfigError } from '../errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import type { TierSpec } from './tier-specs.js';

export interface LoadCacheConfigOptions {
  /** A YAML (.yaml, .yml) or JSON (.json) file. Default: the file named by OMNICACHE_CONFIG, if set. */
  file?: string;
  /** Environment for OMNICACHE_* overrides (default process.env); `false` ignores the environment. */
  env?: Record<string, string | undefined> | false;
  /** Applied over the file and before the environment, e.g. values only code knows. */
  defaults?: Record<string, unknown>;
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read cache config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (err) {
    throw new ConfigError(
      `cache config file ${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(
      `cache config file ${file} must hold an object (name, l1, l2, ...), not ${Array.isArray(data) ? 'a list' : typeof data}`,
    );
  }
  return data as Record<string, unknown>;
}

/**
 * Cache configuration from a file (YAML or JSON) and OMNICACHE_* environment variables, validated by the schema
 * createCache uses; tiers named in it (`l2: { redis: { url } }`) are built through their subpath entry points.
 * Precedence: environment over `defaults` over the file. Pass the result to createCache().
 */
export async function loadCacheConfig(options: LoadCacheConfigOptions = {}): Promise<CacheConfig> {
  const env = options.env === false ? {} : (options.env ?? process.env);
  const file = options.file ?? env.OMNICACHE_CONFIG;
  const source = file ? resolve(file) : undefined;
  const raw: Record<string, unknown> = source ? await readConfigFile(source) : {};
  if (options.defaults) Object.assign(raw, structuredClone(options.defaults));
  // The schema modules load zod: only now, not when omnicache is imported.
  const [{ cacheFileConfigSchema }, { configFields }, { buildTier }, { buildEncryption }] = await Promise.all(
    [
      import('./file-schema.js'),
      import('./schema-fields.js'),
      import('./tier-specs.js'),
      import('./encryption-spec.js'),
    ],
  );
  const origins = applyEnvOverrides(raw, configFields(cacheFileConfigSchema), env);

  const r = cacheFileConfigSchema.safeParse(raw);
  if (!r.success) {
    const where = source ? ` in ${source}` : '';
    const lines = r.error.issues.map((i) => {
      const path = i.path.map(String).join('.') || '(config)';
      const fromEnv = [...origins].find(([p]) => p === path || p.startsWith(`${path}.`));
      return `${path}${fromEnv ? ` (from ${fromEnv[1]})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid cache config${where}: ${lines.join('; ')}`, { cause: r.error });
  }
  const { l2, l3, encryption, ...rest } = r.data;
  const remote = async (t: typeof l2) => {
    if (!t) return undefined;
    const { timeoutMs, circuitBreaker, ...spec } = t;
    return {
      tier: await buildTier(spec as TierSpec),
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(circuitBreaker !== undefined && { circuitBreaker }),
    };
  };
  const [builtL2, builtL3, builtEncryption] = await Promise.all([
    remote(l2),
    remote(l3),
    encryption && buildEncryption(encryption),
  ]);
  return {
    ...rest,
    ...(builtL2 && { l2: builtL2 }),
    ...(builtL3 && { l3: builtL3 }),
    ...(builtEncryption && { encryption: builtEncryption }),
  };
}

import { ConfigError } from '../errors.js';
import { type ConfigField, envName } from './schema-fields.js';

/** Where a value came from, for error messages: an environment variable name. */
export type EnvOrigins = Map<string, string>;

function coerce(field: ConfigField, name: string, raw: string): unknown {
  const bad = (what: string) => new ConfigError(`${name}=${JSON.stringify(raw)}: ${what}`);
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('must be a number');
      return n;
    }
    case 'number-or-false': {
      if (raw.trim() === 'false') return false;
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('must be a number or false');
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw bad('must be true, false, 1 or 0');
    }
    case 'host-port-list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((hp) => {
          const m = /^(.+):(\d+)$/.exec(hp);
          if (!m) throw bad('must be a comma-separated list of host:port');
          return { host: m[1], port: Number(m[2]) };
        });
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const seg of path.slice(0, -1)) {
    const next = node[seg];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Applies OMNICACHE_<PATH> variables (one per schema field, see docs/configuration.md) over `base`, in place.
 * Variables that name no field are left alone (other OMNICACHE_ variables exist); a value of the wrong type is a
 * ConfigError naming the variable. Returns which paths the environment set.
 */
export function applyEnvOverrides(
  base: Record<string, unknown>,
  fields: readonly ConfigField[],
  env: Record<string, string | undefined>,
): EnvOrigins {
  const origins: EnvOrigins = new Map();
  for (const field of fields) {
    const name = envName(field.path);
    const raw = env[name];
    if (raw === undefined) continue;
    setPath(base, field.path, coerce(field, name, raw));
    origins.set(field.path.join('.'), name);
  }
  return origins;
}

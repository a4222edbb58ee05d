import type { z } from 'zod';

/** One settable value of the configuration schema, as files and the environment see it. */
export interface ConfigField {
  /** Path in the configuration object, e.g. ['l1', 'capacity']. */
  path: readonly string[];
  kind: 'number' | 'integer' | 'boolean' | 'string' | 'enum' | 'number-or-false' | 'host-port-list';
  /** Allowed values of an enum. */
  values?: readonly string[];
  /** The default the schema applies, when it has one. */
  default?: unknown;
  required: boolean;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  options?: z.ZodType[];
  element?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

function isInteger(def: Def): boolean {
  return (def.checks ?? []).some(
    (c) => c._zod.def.check === 'number_format' && /int/.test(c._zod.def.format ?? ''),
  );
}

/** The environment variable for a path: OMNICACHE_ + segments in upper snake case (l1.maxBytes -> OMNICACHE_L1_MAX_BYTES). */
export function envName(path: readonly string[]): string {
  return `OMNICACHE_${path.map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

/** Every leaf field of an object schema (tier instances and other code-only values are skipped). */
export function configFields(schema: z.ZodType): ConfigField[] {
  const out = new Map<string, ConfigField>();
  const walk = (s: z.ZodType, path: string[], required: boolean, dflt: unknown): void => {
    const def = defOf(s);
    switch (def.type) {
      case 'object':
        for (const [k, v] of Object.entries(def.shape ?? {})) walk(v, [...path, k], required, undefined);
        return;
      case 'optional':
      case 'nullable':
      case 'prefault':
        walk(def.innerType!, path, false, dflt);
        return;
      case 'default':
        walk(def.innerType!, path, false, def.defaultValue);
        return;
      case 'union': {
        const kinds = (def.options ?? []).map((o) => defOf(o).type);
        if (kinds.length === 2 && kinds.includes('number') && kinds.includes('literal')) {
          add({ path, kind: 'number-or-false', default: dflt, required });
          return;
        }
        // Object branches (tier specs): each contributes its fields; code-only branches (pipes of instances) none.
        for (const o of def.options ?? []) if (defOf(o).type === 'object') walk(o, path, false, undefined);
        return;
      }
      case 'array':
        if (defOf(def.element!).type === 'object') add({ path, kind: 'host-port-list', required });
        return;
      case 'number':
        add({ path, kind: isInteger(def) ? 'integer' : 'number', default: dflt, required });
        return;
      case 'boolean':
        add({ path, kind: 'boolean', default: dflt, required });
        return;
      case 'string':
        add({ path, kind: 'string', default: dflt, required });
        return;
      case 'enum':
        add({ path, kind: 'enum', values: Object.values(def.entries ?? {}), default: dflt, required });
        return;
      default:
        return; // custom instances, transforms: set from code only
    }
  };
  const add = (f: ConfigField) => {
    const key = f.path.join('.');
    if (!out.has(key)) out.set(key, f);
  };
  walk(schema, [], true, undefined);
  return [...out.values()];
}

/** Reads the files of collector-config/ (YAML and JSON) for the tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const configDir = fileURLToPath(new URL('../', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function readYaml(relative: string): unknown {
  return parse(readFileSync(join(configDir, relative), 'utf8'));
}

export function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(join(configDir, relative), 'utf8'));
}

export function ruleTestFiles(): string[] {
  const dir = join(configDir, 'rules', 'tests');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join('rules', 'tests', f))
    : [];
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function rules(relative: string): Rule[] {
  const doc = readYaml(relative) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** Every PromQL expression in the Grafana dashboard (panel targets and template queries). */
export function dashboardQueries(relative: string): {
  exprs: string[];
  templateQueries: string[];
  legends: string[];
} {
  interface Target {
    expr?: string;
    legendFormat?: string;
  }
  interface Panel {
    targets?: Target[];
    panels?: Panel[];
  }
  interface Variable {
    query?: string | { query?: string };
  }
  const dash = readJson(relative) as { panels: Panel[]; templating?: { list: Variable[] } };
  const exprs: string[] = [];
  const legends: string[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (t.expr) exprs.push(t.expr);
        if (t.legendFormat) legends.push(t.legendFormat);
      }
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  const templateQueries = (dash.templating?.list ?? [])
    .map((v) => (typeof v.query === 'string' ? v.query : v.query?.query))
    .filter((q): q is string => typeof q === 'string');
  return { exprs, templateQueries, legends };
}

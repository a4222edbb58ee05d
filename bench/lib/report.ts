import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

export function machine() {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
  };
}

export function renderTable(t: Table): string {
  const cell = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : v);
  const lines = [
    `### ${t.title}`,
    '',
    `| ${t.columns.join(' | ')} |`,
    `|${t.columns.map(() => '---').join('|')}|`,
  ];
  for (const r of t.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  if (t.notes?.length) lines.push('', ...t.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

/** Writes bench/results/<name>.json and <name>.md, and prints the tables. */
export function writeResults(name: string, data: object, tables: Table[]): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify({ machine: machine(), ...data }, null, 2)}\n`);
  const m = machine();
  const md = [
    `# Benchmark: ${name}`,
    '',
    `Node ${m.node}, ${m.cores} × ${m.cpu}, ${m.date}. Command: \`npm run bench -- ${name}\`.`,
    '',
    ...tables.map(renderTable),
  ].join('\n');
  writeFileSync(`${resultsDir}${name}.md`, md);
  process.stdout.write(`\n${md}\nwritten: bench/results/${name}.json, bench/results/${name}.md\n`);
}

/** The stats screen: plain text with optional colours, tables drawn by cli-table3. */
import Table from 'cli-table3';
import type pc from 'picocolors';
import type { CacheView } from './derive.js';

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values (scaled to their own min..max). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values
    .map((v) => BARS[max === min ? 0 : Math.round(((v - min) / (max - min)) * (BARS.length - 1))])
    .join('');
}

export interface ArcHistory {
  pOverC: number[];
  t1: number[];
  t2: number[];
  b1: number[];
  b2: number[];
}

type Colors = ReturnType<typeof pc.createColors>;

const pct = (r: number | undefined) => (r === undefined ? '-' : `${(100 * r).toFixed(1)}%`);
const num = (n: number | undefined) => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const perSec = (n: number | undefined) =>
  n === undefined ? '' : `${n >= 10 ? Math.round(n) : n.toFixed(1)}/s`;
const ms = (s: number | undefined) => (s === undefined ? '-' : `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`);
function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function table(head: string[], c: Colors): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}

function ratioColour(r: number | undefined, c: Colors): (s: string) => string {
  if (r === undefined) return (s) => s;
  return r >= 0.8 ? c.green : r >= 0.5 ? c.yellow : c.red;
}

export function renderCache(v: CacheView, history: ArcHistory | undefined, c: Colors): string {
  const lines: string[] = [];
  const window = v.windowSeconds === undefined ? 'since start' : `last ${v.windowSeconds.toFixed(1)} s`;
  lines.push(
    `${c.bold(c.cyan(`cache ${v.cache}`))}  hit ratio ${ratioColour(v.hitRatio, c)(c.bold(pct(v.hitRatio)))}  ${perSec(v.requestsPerSecond)}  ${c.dim(`(${window})`)}`,
  );
  const tiers = table(['tier', 'hit ratio', 'lookups', 'stale', 'errors', 'entries', 'size', 'circuit'], c);
  for (const t of v.tiers) {
    const circuit =
      t.circuit === undefined ? '' : t.circuit === 'closed' ? c.green(t.circuit) : c.red(c.bold(t.circuit));
    tiers.push([
      t.tier,
      ratioColour(t.hitRatio, c)(pct(t.hitRatio)),
      num(t.lookups),
      num(t.stale),
      t.errors > 0 ? c.red(num(t.errors)) : num(t.errors),
      num(t.entries),
      bytes(t.bytes),
      circuit,
    ]);
  }
  lines.push(tiers.toString());
  if (v.arc !== undefined) {
    const a = v.arc;
    const h = history;
    lines.push(
      `${c.bold('ARC')}  c=${num(a.c)}  p=${a.p.toFixed(1)}  p/c=${(a.c > 0 ? a.p / a.c : 0).toFixed(2)} ${h ? c.magenta(sparkline(h.pOverC)) : ''}`,
    );
    const arc = table(['list', 'size', 'trend'], c);
    for (const k of ['t1', 't2', 'b1', 'b2'] as const)
      arc.push([k.toUpperCase(), num(a[k]), h ? sparkline(h[k]) : '']);
    lines.push(arc.toString());
    lines.push(`ghost hits  B1 ${num(a.ghostB1)} (favour recency)  B2 ${num(a.ghostB2)} (favour frequency)`);
  }
  const moves = v.movements.map((m) => `${m.path.replace('>', '→')} ${num(m.count)} ${perSec(m.perSecond)}`);
  lines.push(`${c.bold('movements')}  ${moves.length > 0 ? moves.join('   ') : c.dim('none')}`);
  const ev = v.evictions.map((e) => `${e.reason} ${num(e.count)} ${perSec(e.perSecond)}`);
  lines.push(`${c.bold('evictions')}  ${ev.length > 0 ? ev.join('   ') : c.dim('none')}`);
  const stale = v.stale.filter((s) => s.count > 0).map((s) => `${s.reason} ${num(s.count)}`);
  if (stale.length > 0) lines.push(`${c.bold('stale served')}  ${stale.join('   ')}`);
  const l = v.loader;
  const calls = Object.entries(l.calls)
    .map(([o, n]) => (o === 'success' || n === 0 ? `${o} ${num(n)}` : c.red(`${o} ${num(n)}`)))
    .join('  ');
  lines.push(
    `${c.bold('loader')}  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}   calls: ${calls}   coalesced ${num(l.coalesced)}`,
  );
  if (v.http.length > 0) {
    const http = table(['route', 'result', 'responses', 'rate'], c);
    for (const r of v.http) http.push([r.route, r.result, num(r.count), perSec(r.perSecond)]);
    lines.push(c.bold('HTTP routes'), http.toString());
  }
  return lines.join('\n');
}

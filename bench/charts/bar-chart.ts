// A horizontal bar chart as a standalone SVG string: one bar per row (the median), an optional p10-p90 whisker from
// the row's samples, OmniCache's rows highlighted. Deterministic output (the same input gives the same bytes), so a
// test can tell whether the committed charts were made from the current results.

export interface Bar {
  label: string;
  /** What the bar shows (e.g. the median of the samples). */
  value: number;
  /** Optional spread drawn as a whisker. */
  low?: number;
  high?: number;
  /** Text after the bar (default: the value formatted). */
  note?: string;
}

export interface BarChart {
  title: string;
  /** Second line: what was measured, where, how often. */
  subtitle: string;
  /** Unit shown on the axis, e.g. "requests/s". */
  unit: string;
  bars: Bar[];
  /** Smaller is better (the axis says so). */
  lowerIsBetter?: boolean;
  format?: (v: number) => string;
}

const PLOT = 380;
const ROW = 28;
/** Rough text width at 12 px (Helvetica averages about 6.7 px per character). */
const textWidth = (s: string) => Math.ceil(s.length * 6.7);
const TOP = 62;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const r1 = (v: number) => Math.round(v * 10) / 10;

/** 1.23M, 45.6k, 789, 1.23 ... */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 4, 8, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

export function renderBarChart(c: BarChart): string {
  const fmt = c.format ?? compact;
  const max = niceMax(Math.max(...c.bars.map((b) => Math.max(b.value, b.high ?? 0))));
  const LEFT = 24 + Math.max(...c.bars.map((b) => textWidth(b.label)));
  const RIGHT = 24 + Math.max(...c.bars.map((b) => textWidth(b.note ?? fmt(b.value))));
  const plot = PLOT;
  const WIDTH = Math.max(LEFT + plot + RIGHT, 32 + textWidth(c.subtitle), 32 + textWidth(c.title) * 1.25);
  const x = (v: number) => LEFT + (plot * v) / max;
  const height = TOP + c.bars.length * ROW + 44;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${esc(c.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="bold" fill="#222">${esc(c.title)}</text>`,
    `<text x="16" y="44" fill="#555">${esc(c.subtitle)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const gx = r1(x(v));
    const bottom = TOP + c.bars.length * ROW;
    out.push(`<line x1="${gx}" y1="${TOP - 4}" x2="${gx}" y2="${bottom}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${gx}" y="${bottom + 16}" text-anchor="middle" fill="#666">${esc(fmt(v))}</text>`);
  }
  c.bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    const ours = /omnicache/i.test(b.label);
    const fill = ours ? '#e07b00' : '#7a8fa6';
    out.push(
      `<text x="${LEFT - 8}" y="${y + 17}" text-anchor="end" fill="#222"${ours ? ' font-weight="bold"' : ''}>${esc(b.label)}</text>`,
    );
    out.push(
      `<rect x="${LEFT}" y="${y + 5}" width="${r1(Math.max(1, x(b.value) - LEFT))}" height="${ROW - 10}" fill="${fill}"/>`,
    );
    if (b.low !== undefined && b.high !== undefined) {
      const cy = y + ROW / 2;
      out.push(
        `<path d="M${r1(x(b.low))} ${cy} H${r1(x(b.high))} M${r1(x(b.low))} ${cy - 5} v10 M${r1(x(b.high))} ${cy - 5} v10" stroke="#222" fill="none"/>`,
      );
    }
    const end = Math.max(x(b.value), x(b.high ?? 0));
    out.push(`<text x="${r1(end + 6)}" y="${y + 17}" fill="#222">${esc(b.note ?? fmt(b.value))}</text>`);
  });
  const axisY = TOP + c.bars.length * ROW + 34;
  out.push(
    `<text x="${LEFT + plot / 2}" y="${axisY}" text-anchor="middle" fill="#444">${esc(c.unit)} (${c.lowerIsBetter ? 'lower' : 'higher'} is better; bar = median${c.bars.some((b) => b.low !== undefined) ? ', whisker = p10–p90 of rounds' : ''})</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

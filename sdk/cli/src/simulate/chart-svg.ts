import type { ArcTimeline } from './replay-engine.js';

const SERIES = [
  { name: 'p (target |T1|)', field: 'p', color: '#d62728', width: 2 },
  { name: '|T1|', field: 't1', color: '#1f77b4', width: 1.2 },
  { name: '|T2|', field: 't2', color: '#2ca02c', width: 1.2 },
  { name: '|B1|', field: 'b1', color: '#9467bd', width: 1 },
  { name: '|B2|', field: 'b2', color: '#ff7f0e', width: 1 },
] as const;

const W = 900;
const H = 240;
const M = { left: 70, right: 150, top: 28, bottom: 36 };

/** Renders ARC's target p and T1/T2/B1/B2 sizes over the trace, one panel per ARC capacity. */
export function renderArcChart(trace: string, timelines: readonly ArcTimeline[]): string {
  const parts: string[] = [];
  timelines.forEach((t, i) => {
    parts.push(`<g transform="translate(0,${i * H})">${panel(t)}</g>`);
  });
  const height = Math.max(1, timelines.length) * H + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="${M.left}" y="18" font-size="14" font-weight="bold">ARC adaptation on ${escapeXml(trace)}</text>`,
    `<g transform="translate(0,20)">${parts.join('')}</g>`,
    '</svg>',
  ].join('\n');
}

function panel(t: ArcTimeline): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xMax = Math.max(1, t.at.at(-1) ?? 1);
  const yMax = t.capacity;
  const x = (v: number) => M.left + (v / xMax) * pw;
  const y = (v: number) => M.top + ph - (Math.min(v, yMax) / yMax) * ph;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${M.top - 8}" font-weight="bold">c = ${t.capacity}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const frac of [0, 0.5, 1]) {
    const yy = y(frac * yMax);
    out.push(`<text x="${M.left - 6}" y="${yy + 4}" text-anchor="end">${Math.round(frac * yMax)}</text>`);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
  }
  for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<text x="${x(frac * xMax)}" y="${M.top + ph + 14}" text-anchor="middle">${formatCount(frac * xMax)}</text>`,
    );
  }
  out.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 30}" text-anchor="middle">accesses</text>`);
  SERIES.forEach((s, i) => {
    const values = t[s.field];
    const points = values.map((v, j) => `${x(t.at[j]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}" points="${points}"/>`);
    const ly = M.top + 10 + i * 16;
    out.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${W - M.right + 38}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  return out.join('');
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

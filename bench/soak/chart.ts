// A small multi-panel SVG line chart (shared time axis, shaded fault windows): no chart library needed.

export interface Series {
  label: string;
  color: string;
  values: readonly number[];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

export interface Shade {
  fromMin: number;
  toMin: number;
  label: string;
}

const W = 1000;
const PANEL_H = 150;
const GAP = 40;
const LEFT = 70;
const RIGHT = 20;
/** Room above the first panel for the title and three staggered rows of fault labels. */
const TOP = 66;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function lineChart(
  title: string,
  minutes: readonly number[],
  panels: Panel[],
  shades: Shade[],
): string {
  const height = TOP + panels.length * (PANEL_H + GAP) + 10;
  const xMax = Math.max(1e-9, minutes.at(-1) ?? 1);
  const x = (m: number) => LEFT + ((W - LEFT - RIGHT) * m) / xMax;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((panel, pi) => {
    const y0 = TOP + pi * (PANEL_H + GAP);
    const all = panel.series.flatMap((s) => s.values.filter(Number.isFinite));
    const yMax = niceMax(Math.max(0, ...all));
    const y = (v: number) => y0 + PANEL_H - (PANEL_H * Math.min(v, yMax)) / yMax;
    const labelled = new Set<string>();
    for (const s of shades) {
      const a = x(s.fromMin);
      const b = x(Math.min(s.toMin, xMax));
      out.push(
        `<rect x="${a.toFixed(1)}" y="${y0}" width="${Math.max(1, b - a).toFixed(1)}" height="${PANEL_H}" fill="#f4c7c3" opacity="0.5"/>`,
      );
      // Each kind of fault is named once (the first time), so the labels do not run into each other.
      if (pi === 0 && !labelled.has(s.label)) {
        labelled.add(s.label);
        const row = (labelled.size - 1) % 3;
        out.push(
          `<text x="${a.toFixed(1)}" y="${y0 - 3 - 10 * row}" font-size="9" fill="#a33">${esc(s.label)}</text>`,
        );
      }
    }
    out.push(
      `<rect x="${LEFT}" y="${y0}" width="${W - LEFT - RIGHT}" height="${PANEL_H}" fill="none" stroke="#999"/>`,
    );
    for (const f of [0, 0.5, 1]) {
      const v = yMax * f;
      out.push(
        `<text x="${LEFT - 5}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${+v.toPrecision(3)}</text>`,
      );
    }
    out.push(
      `<text x="${LEFT + 5}" y="${y0 + 14}" font-weight="bold">${esc(panel.title)} (${esc(panel.unit)})</text>`,
    );
    panel.series.forEach((s, si) => {
      const pts = s.values
        .map((v, i) => (Number.isFinite(v) ? `${x(minutes[i]!).toFixed(1)},${y(v).toFixed(1)}` : ''))
        .filter(Boolean)
        .join(' ');
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
      out.push(
        `<text x="${W - RIGHT - 5}" y="${y0 + 14 + si * 13}" text-anchor="end" fill="${s.color}">${esc(s.label)}</text>`,
      );
    });
    const yAxis = y0 + PANEL_H + 14;
    for (let i = 0; i <= 10; i++) {
      const m = (xMax * i) / 10;
      out.push(`<text x="${x(m).toFixed(1)}" y="${yAxis}" text-anchor="middle">${+m.toFixed(1)}</text>`);
    }
  });
  out.push(`<text x="${W / 2}" y="${height - 2}" text-anchor="middle">minutes</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

// Annotation frames (what Grafana passes in PanelData.annotations, e.g. from the anomaly service) -> time marks.
import { type DataFrame, FieldType } from '@grafana/data';
import type { ArcAnnotation } from './arc.js';

function at(values: { get(i: number): unknown } | readonly unknown[], i: number): unknown {
  return Array.isArray(values) ? values[i] : (values as { get(i: number): unknown }).get(i);
}

/** Reads fields `time`, optional `timeEnd` and `text` (else `title`) of every annotation frame. */
export function annotationsFromFrames(frames: readonly DataFrame[] | undefined): ArcAnnotation[] {
  const out: ArcAnnotation[] = [];
  for (const frame of frames ?? []) {
    const time =
      frame.fields.find((f) => f.name === 'time') ?? frame.fields.find((f) => f.type === FieldType.time);
    if (!time) continue;
    const end = frame.fields.find((f) => f.name === 'timeEnd');
    const text = frame.fields.find((f) => f.name === 'text') ?? frame.fields.find((f) => f.name === 'title');
    for (let i = 0; i < frame.length; i++) {
      const t = Number(at(time.values, i));
      if (!Number.isFinite(t)) continue;
      const e = end ? Number(at(end.values, i)) : Number.NaN;
      const label = text ? String(at(text.values, i) ?? '') : '';
      out.push(Number.isFinite(e) && e > t ? { time: t, timeEnd: e, text: label } : { time: t, text: label });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

// Frames shaped as Grafana's Prometheus data source returns them: one frame per series, a time field and a
// number field whose labels carry __name__ and the series' labels.
import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';

export function seriesFrame(
  name: string,
  labels: Record<string, string>,
  times: readonly number[],
  values: readonly (number | null)[],
): DataFrame {
  return createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: [...times] },
      { name: 'Value', type: FieldType.number, values: [...values], labels: { __name__: name, ...labels } },
    ],
  });
}

/** Epoch ms of sample i at a 15 s step. */
export const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
export const at = (i: number, stepMs = 15_000) => T0 + i * stepMs;
export const times = (n: number, stepMs = 15_000) => Array.from({ length: n }, (_, i) => at(i, stepMs));

// Prometheus HTTP API query_range responses -> data frames shaped as Grafana's Prometheus data source returns
// them: one frame per series, a `Time` field (epoch ms) and a `Value` field carrying the series' labels.
import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';

interface MatrixResult {
  metric: Record<string, string>;
  values: [number, string][];
}

interface QueryRangeResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: MatrixResult[] };
}

export function matrixToFrames(refId: string, result: readonly MatrixResult[]): DataFrame[] {
  return result.map((r) =>
    createDataFrame({
      refId,
      fields: [
        { name: 'Time', type: FieldType.time, values: r.values.map(([t]) => Math.round(t * 1000)) },
        {
          name: 'Value',
          type: FieldType.number,
          values: r.values.map(([, v]) => Number(v)),
          labels: { ...r.metric },
        },
      ],
    }),
  );
}

/** Runs each query over [from, to] (epoch ms) at `stepSeconds` and returns every series as a frame. */
export async function queryRangeFrames(
  prometheusUrl: string,
  queries: readonly string[],
  from: number,
  to: number,
  stepSeconds: number,
): Promise<DataFrame[]> {
  const frames: DataFrame[] = [];
  for (let i = 0; i < queries.length; i++) {
    const params = new URLSearchParams({
      query: queries[i]!,
      start: String(from / 1000),
      end: String(to / 1000),
      step: String(stepSeconds),
    });
    const res = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`);
    const body = (await res.json()) as QueryRangeResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus query ${queries[i]} failed (${res.status}): ${body.error ?? 'no data'}`);
    }
    frames.push(...matrixToFrames(String.fromCharCode(65 + i), body.data.result));
  }
  return frames;
}

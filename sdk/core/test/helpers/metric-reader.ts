import { type MetricData, MetricReader } from '@opentelemetry/sdk-metrics';

/** A MetricReader that collects on demand (tests read instruments without an exporter). */
export class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, MetricData>();
  for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** The value of the data point whose attributes include `attrs`. */
export function point(m: MetricData | undefined, attrs: Record<string, string>): number | undefined {
  const p = m?.dataPoints.find((d) => Object.entries(attrs).every(([k, v]) => d.attributes[k] === v));
  return p === undefined ? undefined : (p.value as number);
}

// Prometheus HTTP API: instant queries and range queries, each bounded by a timeout. Every failure becomes a
// PrometheusQueryError with a reason the service counts.
export type QueryErrorReason = 'unreachable' | 'timeout' | 'http_status' | 'bad_response';

export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
  constructor(
    message: string,
    readonly reason: QueryErrorReason,
  ) {
    super(message);
  }
}

export interface Sample {
  /** Epoch ms. */
  readonly t: number;
  /** Parsed value (may be NaN or +-Inf: Prometheus sends them as strings). */
  readonly v: number;
}

export interface SeriesSamples {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: Sample[];
}

type PromValue = [number, string];
interface PromResponse {
  status?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: { metric?: Record<string, string>; value?: PromValue; values?: PromValue[] }[];
  };
}

function toSample([t, v]: PromValue): Sample {
  return { t: Math.round(t * 1000), v: Number(v) };
}

export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private async get(
    path: string,
    params: Record<string, string>,
  ): Promise<NonNullable<PromResponse['data']>> {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new PrometheusQueryError(
          `Prometheus did not answer within ${this.timeoutMs} ms (${url.origin})`,
          'timeout',
        );
      }
      throw new PrometheusQueryError(`Prometheus unreachable at ${url.origin}: ${e.message}`, 'unreachable');
    }
    let body: PromResponse;
    try {
      body = (await res.json()) as PromResponse;
    } catch {
      throw new PrometheusQueryError(
        `Prometheus answered ${res.status} with a non-JSON body`,
        res.ok ? 'bad_response' : 'http_status',
      );
    }
    if (!res.ok || body.status !== 'success') {
      throw new PrometheusQueryError(
        `Prometheus answered ${res.status}: ${body.error ?? 'no error text'}`,
        'http_status',
      );
    }
    if (!body.data || !Array.isArray(body.data.result)) {
      throw new PrometheusQueryError('Prometheus response has no data.result', 'bad_response');
    }
    return body.data;
  }

  /** Instant query at `time` (epoch ms): one sample per series of the vector. */
  async query(expr: string, time: number): Promise<SeriesSamples[]> {
    const data = await this.get('api/v1/query', { query: expr, time: String(time / 1000) });
    if (data.resultType === 'scalar') {
      throw new PrometheusQueryError(
        `query returned a scalar, expected an instant vector: ${expr}`,
        'bad_response',
      );
    }
    return (data.result ?? []).map((r) => ({
      labels: r.metric ?? {},
      samples: Array.isArray(r.value) ? [toSample(r.value)] : [],
    }));
  }

  /** Range query from `start` to `end` (epoch ms) every `stepMs`. */
  async queryRange(expr: string, start: number, end: number, stepMs: number): Promise<SeriesSamples[]> {
    const data = await this.get('api/v1/query_range', {
      query: expr,
      start: String(start / 1000),
      end: String(end / 1000),
      step: String(stepMs / 1000),
    });
    return (data.result ?? []).map((r) => ({
      labels: r.metric ?? {},
      samples: (r.values ?? []).map(toSample),
    }));
  }
}

/** `{a="1",b="2"}` with sorted keys: the identity of a series within a watched query. */
export function renderLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

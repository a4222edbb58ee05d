// Alertmanager API v2: POST /api/v2/alerts with firing alerts (endsAt in the future, refreshed every evaluation)
// and resolved ones (endsAt = the resolution time).
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export class AlertmanagerError extends Error {
  override readonly name = 'AlertmanagerError';
}

export class AlertmanagerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async post(alerts: AmAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    const url = new URL('api/v2/alerts', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AlertmanagerError(`cannot reach Alertmanager at ${url.origin}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      throw new AlertmanagerError(
        `Alertmanager rejected ${alerts.length} alert(s): ${res.status} ${await res.text()}`,
      );
    }
  }
}

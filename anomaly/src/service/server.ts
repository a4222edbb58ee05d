// HTTP endpoints of the service: /metrics (Prometheus), /api/annotations (events for the Grafana panel),
// /api/series (current scores), /-/healthy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnomalyService } from './service.js';

export interface ServiceServer {
  readonly url: string;
  close(): Promise<void>;
}

function handler(service: AnomalyService) {
  return async (url: URL): Promise<{ status: number; type: string; body: string }> => {
    switch (url.pathname) {
      case '/metrics':
        return {
          status: 200,
          type: service.metrics.registry.contentType,
          body: await service.metrics.registry.metrics(),
        };
      case '/api/annotations': {
        const from = Number(url.searchParams.get('from') ?? 0);
        const to = Number(url.searchParams.get('to') ?? Number.POSITIVE_INFINITY);
        return {
          status: 200,
          type: 'application/json',
          body: JSON.stringify(service.annotations.list(from, to)),
        };
      }
      case '/api/series':
        return {
          status: 200,
          type: 'application/json',
          body: JSON.stringify(
            service.series().map((s) => ({
              series: s.config,
              labels: s.labels,
              points: s.points,
              value: s.lastValue,
              score: s.lastScore ?? null,
              firing: s.alert.firing,
              model: s.tf ? s.tf.training : null,
            })),
          ),
        };
      case '/-/healthy':
        return { status: 200, type: 'text/plain', body: 'ok\n' };
      default:
        return { status: 404, type: 'text/plain', body: 'not found\n' };
    }
  };
}

/** Serves the endpoints on host:port (port 0: a free one). */
export async function serve(service: AnomalyService, host: string, port: number): Promise<ServiceServer> {
  const handle = handler(service);
  const server: Server = createServer((req, res) => {
    handle(new URL(req.url ?? '/', 'http://localhost'))
      .then((r) => res.writeHead(r.status, { 'content-type': r.type }).end(r.body))
      .catch((err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
